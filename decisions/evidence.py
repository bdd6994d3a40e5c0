"""Evidence given as a file (issue 13: "evidence as an attached file as well as a note or
link"). A page attaches the file with the proposal it belongs to; a system uploads it first
(`POST /api/v1/evidence-files/`) and names its id in the evidence item. Either way the file is
the council's, given by the person who proposes, checked for its type and size, and kept by
the service that keeps the rest of the proposal, in the same transaction. A file is written to
storage under its content's hash: the same content is kept once, and a proposal refused after
its file was written leaves that file unnamed by any row, removed by `evidence_files_tidy`
(a nightly task)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from core.actors import actor_label, person_of, require
from core.audit import audit_record
from core.errors import ValidationFailed
from core.limits import file_name
from decisions.models import EvidenceFile, evidence_path
from decisions.questions import file_problem


def _store(*, council, actor, name: str, content: bytes) -> EvidenceFile:
    digest = hashlib.sha256(content).hexdigest()
    kept = EvidenceFile(
        council=council,
        original_name=file_name(name, 200),
        size=len(content),
        sha256=digest,
        uploaded_by=person_of(actor),
        uploaded_by_label=actor_label(actor),
    )
    if kept.file.storage.exists(path := evidence_path(kept, digest)):
        kept.file.name = path  # the same content is stored once (issue 13)
    else:
        kept.file.save(digest, ContentFile(content), save=False)
    kept.save()
    audit_record(
        council=council,
        actor=actor,
        action="evidence.uploaded",
        summary=f"Evidence file {kept.original_name} uploaded",
        obj=kept,
    )
    return kept


@transaction.atomic
def evidence_file_upload(*, council, actor, name: str, content: bytes) -> EvidenceFile:
    """A file uploaded on its own, to be named as evidence by its id in the same person's
    proposal (the API)."""
    require(actor, "decisions.give_evidence", council)
    problem = file_problem(name, len(content))
    if problem:
        raise ValidationFailed("The file could not be kept.", errors={"file": [problem]})
    return _store(council=council, actor=actor, name=name, content=content)


def evidence_keep(*, council, actor, evidence: list[dict]) -> list[dict]:
    """The checked evidence as it is recorded: a file attached on a page is kept now, and a
    file named by its id must be one this person gave this council (another's file is not
    theirs to put on their own proposal, where they would then read it). Call inside the
    proposing service's transaction, after its checks."""
    named = {int(e["file"]) for e in evidence if e.get("file")}
    person = person_of(actor)
    found = {
        f.pk: f
        for f in EvidenceFile.objects.filter(
            council=council, pk__in=named, uploaded_by_id=getattr(person, "pk", None) or 0
        ).only("pk", "original_name", "size")
    }
    missing = sorted(named - set(found))
    if missing:
        raise ValidationFailed(
            "The evidence could not be kept.",
            errors={"evidence": [f"There is no evidence file {n} here." for n in missing]},
        )
    out = []
    for item in evidence:
        item = dict(item)
        upload = item.pop("upload", None)
        if upload is not None:
            name, content = upload
            kept = _store(council=council, actor=actor, name=name, content=content)
            item["file"] = kept.pk
        if item.get("file"):
            kept = found.get(int(item["file"])) or EvidenceFile.objects.get(pk=item["file"])
            item.update(file=kept.pk, file_name=kept.original_name, file_size=kept.size)
        out.append(item)
    return out


def evidence_files_tidy(*, older_than: dt.timedelta = dt.timedelta(hours=6)) -> int:
    """Remove stored evidence that no row names: what a proposal refused after its file was
    written left behind (storage is not rolled back with the database). Only files older than
    `older_than`, so a proposal still being made keeps its file. Safe to run twice."""
    storage = EvidenceFile._meta.get_field("file").storage
    if not storage.exists("evidence"):
        return 0
    with scopes_disabled():  # every council's files, by their names only
        named = set(EvidenceFile.objects.values_list("file", flat=True))
    cutoff = timezone.now() - older_than
    removed = 0
    councils, _ = storage.listdir("evidence")
    for council in councils:
        shards, _ = storage.listdir(f"evidence/{council}")
        for shard in shards:
            _, files = storage.listdir(f"evidence/{council}/{shard}")
            for name in files:
                path = f"evidence/{council}/{shard}/{name}"
                if path not in named and storage.get_modified_time(path) < cutoff:
                    storage.delete(path)
                    removed += 1
    return removed

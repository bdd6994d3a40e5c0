"""The audit log's hash chain: sealing settled entries in turn, and verifying the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from core.models import AuditEntry, AuditSeal

GENESIS = "0" * 64
SETTLED_AFTER = dt.timedelta(minutes=1)  # a transaction still open has not committed its entry
LOCK_ID = 802_011  # PostgreSQL advisory lock: one sealer at a time


def entry_hash(entry: AuditEntry, prev: str) -> str:
    content = [
        entry.pk,
        entry.council_id,
        entry.at.isoformat(),
        entry.actor_id,
        entry.actor_label,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.summary,
        entry.reason,
        entry.data,
        entry.policy_version_id,
    ]
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256((prev + text).encode()).hexdigest()


def audit_seal(*, batch: int = 5000, now: dt.datetime | None = None) -> int:
    """Seal the settled entries not yet sealed, oldest first (an entry whose transaction
    committed late joins the chain when it is found). How many were sealed."""
    settled = (now or timezone.now()) - SETTLED_AFTER
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
        last = AuditSeal.objects.order_by("-position").first()
        prev, position = (last.hash, last.position) if last else (GENESIS, 0)
        entries = list(
            AuditEntry.objects.filter(seal__isnull=True, at__lte=settled).order_by("id")[:batch]
        )
        seals = []
        for entry in entries:
            position += 1
            prev = entry_hash(entry, prev)
            seals.append(AuditSeal(position=position, entry=entry, prev_hash="", hash=prev))
        # prev_hash is each seal's predecessor's hash, for a reader following the chain.
        before = last.hash if last else GENESIS
        for seal in seals:
            seal.prev_hash, before = before, seal.hash
        AuditSeal.objects.bulk_create(seals, batch_size=1000)
    return len(seals)


@dataclass
class Verdict:
    sealed: int
    broken_at: int | None = None
    problem: str = ""
    unsealed_old: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.unsealed_old


def audit_verify(*, now: dt.datetime | None = None) -> Verdict:
    """Walk the chain from its start, recomputing each seal from its entry as it is now."""
    prev, count = GENESIS, 0
    seals = AuditSeal.objects.select_related("entry").order_by("position").iterator(2000)
    for seal in seals:
        count += 1
        if seal.prev_hash != prev or entry_hash(seal.entry, prev) != seal.hash:
            return Verdict(
                sealed=count,
                broken_at=seal.position,
                problem=f"audit entry {seal.entry_id} (seal {seal.position}) does not match "
                "its seal: it was changed after it was sealed, or the chain was",
            )
        prev = seal.hash
    missing = AuditSeal.objects.count() - count
    if missing:
        return Verdict(sealed=count, broken_at=count + 1, problem="seals are missing")
    stale = (now or timezone.now()) - dt.timedelta(hours=1)
    unsealed = AuditEntry.objects.filter(seal__isnull=True, at__lte=stale).count()
    return Verdict(sealed=count, unsealed_old=unsealed)

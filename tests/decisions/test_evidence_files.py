"""Evidence as an attached file as well as a note or link (issue 13).

The services: a required kind of evidence given by a file alone, the file kept with the
proposal (its id, name and size in the evidence item, its bytes under their sha256), files
refused for their type, emptiness or size, and file ids of another council or not ids at all
refused, each writing nothing; restriction proposals and appeals keep files too. The API:
`/api/v1/evidence-files/` per caller (401, 403 for a partner on a board and for a token, 400,
201), reading and downloading a file (404 for another council's), and a move naming an
uploaded file. The pages: the move form's file field, the decision page's link to the file,
the download (403 for a partner, 404 for another council), and a refused file named on its
own field."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concerns.services import case_move
from core.errors import Conflict, ValidationFailed
from core.models import AuditEntry
from councils.models import Role
from decisions.evidence import evidence_file_upload
from decisions.models import EvidenceFile, Recommendation
from decisions.services import recommendation_withdraw
from restrictions.models import Appeal, Restriction
from restrictions.services import appeal_lodge, restriction_propose
from tests.concerns.api.helpers import CASES, at_formal, field_errors
from tests.concerns.rules.helpers import written
from tests.factories import LocationFactory
from tests.restrictions.conftest import CONTACT, answers_for, put_in_place, team_of

pytestmark = pytest.mark.django_db

FILES = "/api/v1/evidence-files/"
RECTIFY = "issue_rectification_notice"
NOTES = b"%PDF-1.4\nQIM 3 notes and actions: staffing plan overdue.\n%%EOF\n"
TYPE_PROBLEM = (
    "The file must be a PDF, Word, Excel, OpenDocument, text, CSV, JPG, PNG or email (EML or "
    "MSG) file."
)


@pytest.fixture
def sm(load_pack, member):
    """Somerset: its officers refer a provider to the Board for a Rectification Notice with
    the QIM's notes (003 2.5); a partner sits on its Board (an external member)."""
    council = load_pack("somerset")
    return SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        board=member(council, Role.DECISION_MAKER, title="Strategic Commissioning Manager"),
        external=member(council, Role.EXTERNAL),
    )


@pytest.fixture
def wb(load_pack, member):
    """West Berkshire with a person in every role and post of its restriction chain."""
    return team_of(load_pack("west-berkshire"), member)


# --- helpers ---------------------------------------------------------------------------------


def notes(content: bytes = NOTES, name: str = "qim-notes.pdf") -> list[dict]:
    """The QIM's notes given only as a file attached on a page."""
    return [{"kind": "meeting_notes", "upload": (name, content)}]


def rectify(sm, case, evidence):
    return case_move(
        case=case,
        actor=sm.officer,
        move=RECTIFY,
        reason="Not improving after three QIMs",
        evidence=evidence,
    )


def media_files() -> list[Path]:
    """Every file under MEDIA_ROOT (a fresh directory per test)."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def nothing_written(council, before: dict) -> None:
    assert written(council) == before
    assert not EvidenceFile.objects.exists()
    assert media_files() == []


def refused(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.errors


def upload(name: str = "qim-notes.pdf", content: bytes = NOTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the services ----------------------------------------------------------------------------


def test_a_file_alone_gives_the_required_evidence_and_is_kept_with_the_recommendation(sm):
    """Issue 13: Somerset's referral for a Rectification Notice needs the QIM's notes (003
    2.5); a file alone gives them. The file is kept as the council's, under its sha256, and
    the recommendation's evidence names it by id, name and size."""
    case = at_formal(sm)
    rec = rectify(sm, case, notes())
    assert isinstance(rec, Recommendation)
    [kept] = EvidenceFile.objects.all()
    assert rec.evidence == [
        {
            "kind": "meeting_notes",
            "note": "",
            "url": "",
            "file": kept.pk,
            "file_name": "qim-notes.pdf",
            "file_size": len(NOTES),
        }
    ]
    rec.refresh_from_db()
    assert rec.evidence[0]["file"] == kept.pk
    assert kept.council == sm.council
    assert kept.original_name == "qim-notes.pdf"
    assert kept.size == len(NOTES)
    assert kept.sha256 == hashlib.sha256(NOTES).hexdigest()
    assert kept.uploaded_by == sm.officer
    assert kept.uploaded_by_label
    assert kept.file.name.endswith(kept.sha256)
    with kept.file.open("rb") as f:
        assert f.read() == NOTES
    assert media_files() == [Path(settings.MEDIA_ROOT) / kept.file.name]


def test_the_same_content_is_stored_once(sm):
    """Issue 13: a file is stored under its content's sha256, so the same notes given twice
    (the referral withdrawn and made again) are one file on disk, named by both rows."""
    case = at_formal(sm)
    first = rectify(sm, case, notes())
    recommendation_withdraw(recommendation=first, actor=sm.officer, reason="Wrong provider")
    second = rectify(sm, case, notes(name="the-same-notes.pdf"))
    one, two = EvidenceFile.objects.order_by("pk")
    assert first.evidence[0]["file"] == one.pk
    assert second.evidence[0]["file"] == two.pk
    assert second.evidence[0]["file_name"] == "the-same-notes.pdf"
    assert one.sha256 == two.sha256
    assert one.file.name == two.file.name
    assert len(media_files()) == 1


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("setup.exe", NOTES, TYPE_PROBLEM),
        ("notes", NOTES, TYPE_PROBLEM),
        ("notes.pdf.exe", NOTES, TYPE_PROBLEM),
        ("empty.pdf", b"", "The file is empty."),
    ],
    ids=["exe", "no-extension", "double-extension", "empty"],
)
def test_a_file_that_cannot_be_evidence_is_named_and_nothing_is_written(name, content, problem, sm):
    """Issue 13: evidence files are documents, images or emails, not empty: another one is
    refused on the evidence, and neither the file nor the recommendation is kept."""
    case = at_formal(sm)
    before = written(sm.council)
    errors = refused(lambda: rectify(sm, case, notes(content, name)))
    assert errors == {"evidence": [problem]}
    nothing_written(sm.council, before)


def test_a_file_over_the_limit_is_named_and_nothing_is_written(sm, monkeypatch):
    """Issue 13: evidence files are at most FILE_MAX_BYTES (20 MB; 10 bytes here): one byte
    more is refused on the evidence, the limit itself is kept."""
    monkeypatch.setattr("decisions.questions.FILE_MAX_BYTES", 10)
    case = at_formal(sm)
    before = written(sm.council)
    errors = refused(lambda: rectify(sm, case, notes(b"x" * 11)))
    assert list(errors) == ["evidence"]
    [message] = errors["evidence"]
    assert message.startswith("The file must be no larger than")
    nothing_written(sm.council, before)
    rec = rectify(sm, case, notes(b"x" * 10))
    assert rec.evidence[0]["file_size"] == 10


def test_another_councils_file_is_refused_and_nothing_is_written(sm, council_b, officer_b):
    """Issue 13: a file named by its id must be the proposing council's: West Berkshire's
    file is not there for Somerset (as an id that does not exist is not)."""
    theirs = evidence_file_upload(
        council=council_b, actor=officer_b, name="wb-notes.pdf", content=NOTES
    )
    case = at_formal(sm)
    before = written(sm.council)
    for pk in (theirs.pk, theirs.pk + 1000):
        errors = refused(lambda pk=pk: rectify(sm, case, [{"kind": "meeting_notes", "file": pk}]))
        assert errors == {"evidence": [f"There is no evidence file {pk} here."]}
    assert written(sm.council) == before
    assert list(EvidenceFile.objects.all()) == [theirs]


@pytest.mark.parametrize(
    "named",
    ["abc", -1, 0, "-3", True, False, 1.5, "1.0", " 1", [1], "²", "1" * 30, 2**70],
    ids=repr,
)
def test_a_file_is_named_by_a_whole_number(named, sm):
    """Issue 13: `file` is the id of an uploaded file: anything but a positive whole number
    (a word, a negative, a boolean, a fraction, a list, a number too large to be an id) is
    refused on the evidence, and nothing is written."""
    ours = evidence_file_upload(council=sm.council, actor=sm.officer, name="n.pdf", content=NOTES)
    case = at_formal(sm)
    before = written(sm.council)
    errors = refused(lambda: rectify(sm, case, [{"kind": "meeting_notes", "file": named}]))
    assert errors == {"evidence": ["A file is named by its id, a number."]}
    assert written(sm.council) == before
    assert list(EvidenceFile.objects.all()) == [ours]


def test_a_file_uploaded_first_and_named_by_its_id_is_kept(sm):
    """Issue 13: a system uploads the file first and names its id; the evidence item names it
    with its name and size, and no second file is stored."""
    kept = evidence_file_upload(
        council=sm.council, actor=sm.officer, name="qim.docx", content=b"QIM notes"
    )
    assert AuditEntry.objects.filter(action="evidence.uploaded", council=sm.council).count() == 1
    rec = rectify(sm, at_formal(sm), [{"kind": "meeting_notes", "file": str(kept.pk)}])
    assert rec.evidence == [
        {
            "kind": "meeting_notes",
            "note": "",
            "url": "",
            "file": kept.pk,
            "file_name": "qim.docx",
            "file_size": 9,
        }
    ]
    assert EvidenceFile.objects.count() == 1


def test_a_restriction_proposal_keeps_its_files(wb, signed_in):
    """Issue 13 with 004 18.1 ("with reasons and supporting documents e.g. Improvement plan,
    link to the CQC report"): the improvement plan attached as a file is kept with the
    restriction and its recommendation, and the restriction page links to it."""
    pack = wb.pack
    plan = b"Improvement plan: tasks, owners, dates"
    r = restriction_propose(
        council=wb.council,
        actor=wb.officer,
        level="suspended",
        location=LocationFactory(),
        reasons="Rated Inadequate in Safe",
        evidence=[
            {"kind": "cqc_report", "url": "https://www.cqc.org.uk/location/1-000"},
            {"kind": "improvement_plan", "upload": ("plan.xlsx", plan)},
        ],
        details=answers_for(pack, "impose"),
        contact=CONTACT,
    )
    [kept] = EvidenceFile.objects.all()
    item = {
        "kind": "improvement_plan",
        "note": "",
        "url": "",
        "file": kept.pk,
        "file_name": "plan.xlsx",
        "file_size": len(plan),
    }
    assert Restriction.objects.get(pk=r.pk).evidence[1] == item
    assert r.recommendation.evidence[1] == item
    page = signed_in(wb.officer).get(f"/restrictions/{r.pk}/").content.decode()
    assert re.search(rf'<a class="govuk-link" href="/evidence/{kept.pk}/"[^>]*>plan.xlsx', page)


def test_an_appeal_keeps_its_file(wb):
    """Issue 13 with 004 19.2 (the provider appeals in writing with its reasons and
    evidence): the provider's letter, attached, is kept with the appeal."""
    r = put_in_place(wb, location=LocationFactory(), told=True)
    letter = b"Dear Sir, we appeal."
    appeal = appeal_lodge(
        restriction=r,
        actor=wb.officer,
        received_on=timezone.localdate(),
        grounds="The inspection findings are out of date.",
        evidence=[{"kind": "other", "note": "The provider's letter", "upload": ("a.eml", letter)}],
    )
    kept = EvidenceFile.objects.get(original_name="a.eml")
    assert Appeal.objects.get(pk=appeal.pk).evidence == [
        {
            "kind": "other",
            "note": "The provider's letter",
            "url": "",
            "file": kept.pk,
            "file_name": "a.eml",
            "file_size": len(letter),
        }
    ]
    assert appeal.recommendation.evidence[0]["file"] == kept.pk


def test_a_proposal_refused_after_its_checks_leaves_no_file_behind(wb):
    """Issue 13: a restriction refused because one is already in place (409) keeps nothing,
    neither the file's row nor the file itself."""
    place = LocationFactory()
    put_in_place(wb, location=place)
    with pytest.raises(Conflict):
        restriction_propose(
            council=wb.council,
            actor=wb.officer,
            level="suspended",
            location=place,
            reasons="Rated Inadequate in Safe, again",
            evidence=[
                {"kind": "cqc_report", "url": "https://www.cqc.org.uk/location/1-000"},
                {"kind": "improvement_plan", "upload": ("plan.xlsx", b"Improvement plan")},
            ],
            details=answers_for(wb.pack, "impose"),
            contact=CONTACT,
        )
    assert not EvidenceFile.objects.exists()
    assert media_files() == []


# --- the API ---------------------------------------------------------------------------------


def test_uploading_needs_credentials(api):
    """Issue 13: no one unknown uploads evidence."""
    response = api.post(FILES, {"file": upload()}, format="multipart")
    assert response.status_code == 401
    assert not EvidenceFile.objects.exists()


def test_a_partner_on_a_board_and_a_token_may_not_upload(sm, api_as, api_token):
    """Issue 13: evidence is given by the council's own people (decisions.give_evidence), not
    by a partner's seat on its Board, nor by a system's token (tokens only read)."""
    assert api_as(sm.external).post(FILES, {"file": upload()}).status_code == 403
    token = api_token(sm.council, ["cases:read"])
    assert token.post(FILES, {"file": upload()}).status_code == 403
    assert not EvidenceFile.objects.exists()
    kept = evidence_file_upload(council=sm.council, actor=sm.officer, name="n.pdf", content=NOTES)
    for url in (f"{FILES}{kept.pk}/", f"{FILES}{kept.pk}/download/"):
        assert api_as(sm.external).get(url).status_code == 403, url
        assert token.get(url).status_code == 403, url


def test_a_wrong_or_missing_file_is_named(sm, api_as):
    """Issue 13: the file's type is checked on upload (400 naming `file`), and a request
    without one names it too; nothing is kept."""
    client = api_as(sm.officer)
    response = client.post(FILES, {"file": upload("tool.exe")})
    assert response.status_code == 400
    assert field_errors(response) == {"file": [TYPE_PROBLEM]}
    response = client.post(FILES, {"file": upload("empty.pdf", b"")})
    assert response.status_code == 400
    assert list(field_errors(response)) == ["file"]
    response = client.post(FILES, {})
    assert response.status_code == 400
    assert list(field_errors(response)) == ["file"]
    assert not EvidenceFile.objects.exists()
    assert not AuditEntry.objects.filter(action="evidence.uploaded").exists()


def test_an_officer_uploads_reads_and_downloads_a_file(sm, api_as, officer_b):
    """Issue 13: 201 with the file's id, name, size and hash; the council reads and downloads
    it, another council's session finds neither (404)."""
    client = api_as(sm.officer)
    response = client.post(FILES, {"file": upload("qim.pdf")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "name", "size", "sha256", "uploaded_by_label", "uploaded_at"}
    assert body["name"] == "qim.pdf"
    assert body["size"] == len(NOTES)
    assert body["sha256"] == hashlib.sha256(NOTES).hexdigest()
    kept = EvidenceFile.objects.get(pk=body["id"])
    assert kept.council == sm.council
    assert AuditEntry.objects.filter(action="evidence.uploaded", council=sm.council).count() == 1

    detail = client.get(f"{FILES}{kept.pk}/")
    assert detail.status_code == 200
    assert detail.json() == body
    download = client.get(f"{FILES}{kept.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="qim.pdf"'
    assert body_of(download) == NOTES

    other = api_as(officer_b)
    assert other.get(f"{FILES}{kept.pk}/").status_code == 404
    assert other.get(f"{FILES}{kept.pk}/download/").status_code == 404


def test_a_move_through_the_api_names_the_uploaded_file(sm, api_as, council_b, officer_b):
    """Issue 13: a system uploads the QIM's notes, then refers the provider for a
    Rectification Notice naming the file's id: the required evidence is given, and the
    recommendation shows the file's name and size. Another council's file id is refused
    (400 naming the evidence), and nothing is recommended."""
    case = at_formal(sm)
    client = api_as(sm.officer)
    theirs = evidence_file_upload(council=council_b, actor=officer_b, name="wb.pdf", content=NOTES)
    payload = {"move": RECTIFY, "reason": "Not improving after the QIMs"}
    response = client.post(
        f"{CASES}{case.pk}/moves/",
        {**payload, "evidence": [{"kind": "meeting_notes", "file": theirs.pk}]},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert list(field_errors(response)) == ["evidence"]
    assert not Recommendation.objects.filter(council=sm.council, key=RECTIFY).exists()

    uploaded = client.post(FILES, {"file": upload("qim-3.pdf")}).json()
    response = client.post(
        f"{CASES}{case.pk}/moves/",
        {**payload, "evidence": [{"kind": "meeting_notes", "file": uploaded["id"]}]},
        format="json",
    )
    assert response.status_code == 202, response.content
    assert response.json()["evidence"] == [
        {
            "kind": "meeting_notes",
            "note": "",
            "url": "",
            "file": uploaded["id"],
            "file_name": "qim-3.pdf",
            "file_size": len(NOTES),
        }
    ]
    rec = Recommendation.objects.get(pk=response.json()["id"])
    assert rec.evidence[0]["file"] == uploaded["id"]


# --- the pages -------------------------------------------------------------------------------


def error_summary(page: str) -> list[tuple[str, str]]:
    """(link target, message) of each item in the GOV.UK error summary."""
    start = page.index('class="govuk-error-summary"')
    body = page[start : page.index("</ul>", start)]
    return [
        (href, text.strip()) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', body)
    ]


def test_the_move_form_takes_a_file_and_the_decision_page_links_to_it(sm, signed_in, officer_b):
    """Issue 13: the QIM's notes attached on the move form give the required evidence; the
    decision page links to the file, which downloads under its name for the council's staff,
    not for a partner on its Board (403), nor for another council (404)."""
    case = at_formal(sm)
    client = signed_in(sm.officer)
    response = client.post(
        f"/cases/{case.pk}/moves/{RECTIFY}/",
        {
            "reason": "Not improving after three QIMs",
            "ev_meeting_notes_file": SimpleUploadedFile("notes.pdf", NOTES, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rec = Recommendation.objects.get(council=sm.council, key=RECTIFY)
    kept = EvidenceFile.objects.get()
    assert rec.evidence[0]["file"] == kept.pk

    page = client.get(f"/decisions/{rec.pk}/").content.decode()
    link = re.search(rf'<a class="govuk-link" href="/evidence/{kept.pk}/"[^>]*>([^<]+)<', page)
    assert link, "no link to the file"
    assert link.group(1) == "notes.pdf"

    download = client.get(f"/evidence/{kept.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="notes.pdf"'
    assert body_of(download) == NOTES

    assert signed_in(sm.external).get(f"/evidence/{kept.pk}/").status_code == 403
    assert signed_in(officer_b).get(f"/evidence/{kept.pk}/").status_code == 404


def test_the_move_form_names_a_file_that_cannot_be_evidence(sm, signed_in):
    """Issue 13: a program attached as the QIM's notes is named on its own field (not as
    missing notes), and nothing is kept."""
    case = at_formal(sm)
    response = signed_in(sm.officer).post(
        f"/cases/{case.pk}/moves/{RECTIFY}/",
        {
            "reason": "Not improving after three QIMs",
            "ev_meeting_notes_file": SimpleUploadedFile("notes.exe", NOTES),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert error_summary(page) == [("#id_ev_meeting_notes_file", TYPE_PROBLEM)]
    assert 'enctype="multipart/form-data"' in page
    assert not Recommendation.objects.filter(council=sm.council, key=RECTIFY).exists()
    assert not EvidenceFile.objects.exists()
    assert media_files() == []

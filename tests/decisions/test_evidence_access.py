"""Who gives and who opens an evidence file (issue 13, from the review of its first version):
a file is opened by those who see every recommendation and by the person who gave it, never by
guessing its id; a file named by its id must be the proposer's own; a read-only auditor gives
none."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from concerns.services import case_move
from core.errors import NotAllowed, ValidationFailed
from councils.models import Role
from decisions.evidence import evidence_file_upload
from decisions.models import EvidenceFile
from tests.concerns.api.helpers import at_formal

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\nnotes\n%%EOF\n"


@pytest.fixture
def sm(load_pack, member):
    council = load_pack("somerset")
    return SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        other_officer=member(council, Role.OFFICER),
        placement=member(council, Role.PLACEMENT),
        auditor=member(council, Role.AUDITOR),
        external=member(council, Role.EXTERNAL),
    )


def _upload(sm, who) -> int:
    return evidence_file_upload(council=sm.council, actor=who, name="n.pdf", content=PDF).pk


@pytest.mark.parametrize(
    ("role", "page", "api"),
    [
        ("officer", 200, 200),  # gave it
        ("other_officer", 200, 200),  # sees every recommendation
        ("auditor", 200, 200),  # sees every recommendation
        ("placement", 404, 404),  # sees only their own requests: not this file
        ("external", 403, 403),  # a partner's seat on a board: nothing of the council's
    ],
)
def test_a_file_is_opened_only_by_those_who_see_the_evidence(
    sm, role, page, api, signed_in, api_as
):
    pk = _upload(sm, sm.officer)
    who = getattr(sm, role)
    assert signed_in(who).get(f"/evidence/{pk}/").status_code == page
    assert api_as(who).get(f"/api/v1/evidence-files/{pk}/download/").status_code == api
    assert api_as(who).get(f"/api/v1/evidence-files/{pk}/").status_code == api


def test_placement_staff_open_the_files_they_gave(sm, signed_in):
    pk = _upload(sm, sm.placement)
    response = signed_in(sm.placement).get(f"/evidence/{pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_a_read_only_auditor_gives_no_evidence(sm, api_as):
    with pytest.raises(NotAllowed):
        _upload(sm, sm.auditor)
    upload = SimpleUploadedFile("n.pdf", PDF, content_type="application/pdf")
    response = api_as(sm.auditor).post(
        "/api/v1/evidence-files/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 403


def test_another_persons_file_cannot_be_put_on_ones_own_proposal(sm):
    """Else naming its id on one's own proposal would show it on one's own page."""
    theirs = _upload(sm, sm.other_officer)
    case = at_formal(sm)
    with pytest.raises(ValidationFailed) as caught:
        case_move(
            case=case,
            actor=sm.officer,
            move="issue_rectification_notice",
            reason="Not improving",
            evidence=[{"kind": "meeting_notes", "file": theirs}],
        )
    assert caught.value.errors == {"evidence": [f"There is no evidence file {theirs} here."]}
    mine = _upload(sm, sm.officer)
    rec = case_move(
        case=case,
        actor=sm.officer,
        move="issue_rectification_notice",
        reason="Not improving",
        evidence=[{"kind": "meeting_notes", "file": mine}],
    )
    assert rec.evidence[0]["file"] == mine


def test_an_upload_larger_than_the_limit_is_refused_on_its_size(sm, api_as, monkeypatch):
    from decisions import questions

    monkeypatch.setattr(questions, "FILE_MAX_BYTES", 8)
    upload = SimpleUploadedFile("n.pdf", PDF, content_type="application/pdf")
    response = api_as(sm.officer).post(
        "/api/v1/evidence-files/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert "no larger than" in str(response.json()["errors"]["file"])
    assert not EvidenceFile.objects.exists()


def test_a_stored_file_no_row_names_is_tidied_away_and_a_named_one_stays(sm):
    """A proposal refused after its file was written leaves the file behind (storage is not
    rolled back with the database): the nightly tidy removes it, and only it."""
    import datetime as dt

    from decisions.evidence import evidence_files_tidy

    kept = EvidenceFile.objects.get(pk=_upload(sm, sm.officer))
    left = evidence_file_upload(council=sm.council, actor=sm.officer, name="x.pdf", content=b"x")
    storage = left.file.storage
    path = left.file.name
    EvidenceFile.objects.filter(pk=left.pk).delete()  # as if its transaction rolled back
    assert evidence_files_tidy() == 0  # too recent: a proposal may still be under way
    assert evidence_files_tidy(older_than=dt.timedelta(0)) == 1
    assert not storage.exists(path) and storage.exists(kept.file.name)
    assert evidence_files_tidy(older_than=dt.timedelta(0)) == 0


def test_a_file_comes_back_as_bytes_whatever_its_type(sm, signed_in, api_as):
    """What a person gave is never offered to a browser as something to show (and the API
    documents the download as application/octet-stream)."""
    pk = evidence_file_upload(
        council=sm.council, actor=sm.officer, name="photo.png", content=b"\x89PNG\r\n"
    ).pk
    for response in (
        signed_in(sm.officer).get(f"/evidence/{pk}/"),
        api_as(sm.officer).get(f"/api/v1/evidence-files/{pk}/download/"),
    ):
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")

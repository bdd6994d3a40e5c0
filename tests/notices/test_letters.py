"""Letters (issue: letters): written by a task from the requests moves and decisions leave,
previewed, issued by a person, kept for good with the SHA-256 of their PDF and the data they
were made from, sent by email with the PDF attached, retried when the mail fails, corrected by
a new version that names the one it replaces."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from core.models import Timer, TimerStatus
from notices.models import Delivery, DeliveryStatus, IssuedLetter, Letter, LetterStatus
from notices.services import (
    delivery_record_bounce,
    delivery_send,
    letter_correct,
    letter_issue,
    letter_preview,
    letter_record_post,
    letter_record_receipt,
    letter_update,
)
from restrictions.models import NoticeStatus
from restrictions.services.effects import APPEAL_WINDOW, TELL_PROVIDER
from tests.notices.conftest import case_letter, put_in_place, restriction_letter

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_a_decision_leaves_a_request_that_a_task_writes_as_a_draft(
    wb, willow, django_capture_on_commit_callbacks
):
    # 004 19.1: the decision is told to the provider in writing; the request is written by a
    # task once the decision commits.
    with django_capture_on_commit_callbacks(execute=True):
        r = put_in_place(wb, location=willow)
    letter = Letter.objects.get(council=wb.council, source="restrictions.notice")
    assert letter.status == LetterStatus.DRAFT, letter.problem
    assert (letter.kind, letter.location, letter.provider) == (
        "decision_letter",
        willow,
        willow.provider,
    )
    assert letter.reference.startswith(f"{wb.pack.policy.content['letters']['reference_prefix']}-")
    # Addressed from the register: the owner (Nominated Individual) at the provider's address.
    assert (letter.addressee_name, letter.addressee_organisation) == (
        "Jane Owner",
        "Willow Care Ltd",
    )
    assert letter.address_lines == ["1 High Street", "Newbury", "RG14 1AA"]
    assert letter.facts["restriction"]["reference"] == r.reference
    # Written once: the task run again gives the same letter.
    from notices.services import letter_write

    again = letter_write(
        council=wb.council, source="restrictions.notice", request_id=letter.source_id
    )
    assert again.pk == letter.pk and Letter.objects.filter(council=wb.council).count() == 1


def test_issued_the_pdf_is_kept_with_its_hash_and_data_and_the_provider_is_told(wb, willow):
    letter = restriction_letter(wb, willow)
    r = letter.facts["restriction"]["reference"]
    letter_update(letter=letter, actor=wb.officer, changes={"email": "owner@willow.example"})
    issued = letter_issue(letter=letter, actor=wb.officer)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED and letter.dated == timezone.localdate()
    assert issued.sha256 == hashlib.sha256(bytes(issued.pdf)).hexdigest()
    assert issued.data["facts"]["restriction"]["reference"] == r
    assert issued.data["to"]["organisation"] == "Willow Care Ltd"
    text = pdf_text(bytes(issued.pdf))
    assert "Willow Care Ltd" in text and letter.reference in text
    assert f"{timezone.localdate():%-d %B %Y}" in text
    # 004 19.1 met: the notice is sent, the time limit to tell the provider met, and the
    # provider's time to appeal (19.2) runs from the letter.
    notice = letter.source_id
    from restrictions.models import Notice

    assert Notice.objects.get(pk=notice).status == NoticeStatus.SENT
    timers = {t.kind: t for t in Timer.objects.filter(council=wb.council)}
    assert timers[TELL_PROVIDER].status == TimerStatus.MET
    assert timers[APPEAL_WINDOW].status == TimerStatus.RUNNING
    assert timers[APPEAL_WINDOW].starts_on == timezone.localdate()
    # An email with the PDF attached waits for the worker.
    (delivery,) = Delivery.objects.filter(letter=letter)
    assert (delivery.channel, delivery.status, delivery.to) == (
        "email",
        DeliveryStatus.QUEUED,
        "owner@willow.example",
    )
    with pytest.raises(Conflict):
        letter_issue(letter=letter, actor=wb.officer)


def test_an_issued_letter_cannot_be_changed_by_code(wb, willow):
    letter = restriction_letter(wb, willow)
    issued = letter_issue(letter=letter, actor=wb.officer)
    issued.title = "Forged"
    with pytest.raises(PermissionError):
        issued.save()
    with pytest.raises(PermissionError):
        IssuedLetter.objects.filter(pk=issued.pk).update(title="Forged")
    with pytest.raises(PermissionError):
        issued.delete()
    with pytest.raises(Conflict):
        letter_update(letter=letter, actor=wb.officer, changes={"addressee_name": "Someone"})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_an_issued_letter_cannot_be_changed_in_the_database(wb, willow):
    letter = restriction_letter(wb, willow)
    issued = letter_issue(letter=letter, actor=wb.officer)
    for sql in (
        "UPDATE notices_issuedletter SET sha256 = 'forged' WHERE id = %s",
        "DELETE FROM notices_issuedletter WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [issued.pk])
    assert IssuedLetter.objects.get(pk=issued.pk).sha256 == issued.sha256


def test_a_letter_with_no_addressee_or_postal_address_is_refused(wb, willow):
    letter = restriction_letter(wb, willow)
    letter_update(
        letter=letter,
        actor=wb.officer,
        changes={"addressee_name": "", "addressee_organisation": "", "address": ""},
    )
    with pytest.raises(ValidationFailed) as refused:
        letter_issue(letter=letter, actor=wb.officer)
    assert set(refused.value.errors) == {"addressee_organisation", "address"}
    assert not IssuedLetter.objects.exists()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT


def test_a_template_naming_a_missing_field_fails_with_the_field_named(
    wb, willow, settings, tmp_path
):
    """A template that refers to a field the letter lacks: the draft says which, the preview
    and the issue are refused, and nothing is issued."""
    from notices import render

    (tmp_path / "letters" / "west-berkshire").mkdir(parents=True)
    layout = render.templates_dir() / "_layout.html"
    (tmp_path / "letters" / "_layout.html").write_text(layout.read_text())
    (tmp_path / "letters" / "west-berkshire" / "decision_letter.html").write_text(
        '{% extends "_layout.html" %}{% block body %}<p>{{ facts.restriction.grounds }}</p>'
        "{% endblock %}"
    )
    settings.POLICY_DIR = tmp_path
    render.engine.cache_clear()
    try:
        letter = restriction_letter(wb, willow)
        assert letter.status == LetterStatus.PROBLEM
        assert "facts.restriction.grounds" in letter.problem
        with pytest.raises(ValidationFailed, match="facts.restriction.grounds"):
            letter_preview(letter=letter, actor=wb.officer)
        with pytest.raises(ValidationFailed, match="facts.restriction.grounds"):
            letter_issue(letter=letter, actor=wb.officer)
        assert not IssuedLetter.objects.exists()
    finally:
        render.engine.cache_clear()


def test_sent_by_email_with_the_pdf_attached_once(wb, willow):
    letter = restriction_letter(wb, willow)
    letter_update(letter=letter, actor=wb.officer, changes={"email": "owner@willow.example"})
    issued = letter_issue(letter=letter, actor=wb.officer)
    delivery = Delivery.objects.get(letter=letter)
    assert delivery_send(delivery_id=delivery.pk).status == DeliveryStatus.SENT
    assert delivery_send(delivery_id=delivery.pk) is None  # sent once
    (message,) = mail.outbox
    assert message.to == ["owner@willow.example"]
    (name, content, kind) = message.attachments[0]
    assert kind == "application/pdf" and content == bytes(issued.pdf)
    assert letter.reference in message.subject


class Refusing:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failed_send_leaves_the_letter_issued_and_is_tried_again_with_backoff(
    wb, willow, settings
):
    letter = restriction_letter(wb, willow)
    letter_update(letter=letter, actor=wb.officer, changes={"email": "owner@willow.example"})
    letter_issue(letter=letter, actor=wb.officer)
    delivery = Delivery.objects.get(letter=letter)
    settings.EMAIL_BACKEND = "tests.notices.test_letters.Refusing"
    first = delivery_send(delivery_id=delivery.pk)
    assert first.status == DeliveryStatus.FAILED and "mail server down" in first.last_error
    gap = first.next_try_at - timezone.now()
    second = delivery_send(delivery_id=delivery.pk)
    assert second.attempts == 2 and second.next_try_at - timezone.now() > gap
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED  # never un-issued
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert delivery_send(delivery_id=delivery.pk).status == DeliveryStatus.SENT


def test_a_bounce_is_recorded_and_the_email_tried_again(wb, willow):
    letter = restriction_letter(wb, willow)
    letter_update(letter=letter, actor=wb.officer, changes={"email": "owner@willow.example"})
    letter_issue(letter=letter, actor=wb.officer)
    delivery = Delivery.objects.get(letter=letter)
    delivery_send(delivery_id=delivery.pk)
    bounced = delivery_record_bounce(
        delivery=delivery, actor=wb.officer, reason="550 mailbox unavailable"
    )
    assert bounced.status == DeliveryStatus.BOUNCED and bounced.next_try_at is not None
    assert delivery_send(delivery_id=delivery.pk).status == DeliveryStatus.SENT
    assert len(mail.outbox) == 2


def test_posted_and_receipt_confirmed_are_recorded(wb, willow):
    letter = restriction_letter(wb, willow)
    letter_issue(letter=letter, actor=wb.officer)
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as future:
        letter_record_post(letter=letter, actor=wb.officer, sent_on=today + dt.timedelta(days=1))
    assert "sent_on" in future.value.errors
    letter_record_post(letter=letter, actor=wb.officer, sent_on=today)
    with pytest.raises(Conflict):
        letter_record_post(letter=letter, actor=wb.officer, sent_on=today)
    letter_record_receipt(letter=letter, actor=wb.officer, received_on=today, how="Email")
    letter.refresh_from_db()
    assert (letter.sent_by_post_on, letter.receipt_confirmed_on) == (today, today)
    assert Delivery.objects.get(letter=letter, channel="post").status == DeliveryStatus.SENT


def test_a_correction_is_a_new_version_that_names_the_one_it_replaces(wb, willow):
    letter = restriction_letter(wb, willow)
    first = letter_issue(letter=letter, actor=wb.officer)
    correction = letter_correct(letter=letter, actor=wb.officer, reason="Wrong address")
    assert (correction.version, correction.replaces_id) == (2, letter.pk)
    assert correction.reference != letter.reference
    letter_update(letter=correction, actor=wb.officer, changes={"address": "3 New Road\nNewbury"})
    second = letter_issue(letter=correction, actor=wb.officer)
    assert second.replaces_id == first.pk
    text = pdf_text(bytes(second.pdf))
    assert letter.reference in text and "replaces" in text
    letter.refresh_from_db()
    assert letter.status == LetterStatus.REPLACED
    assert IssuedLetter.objects.get(pk=first.pk).sha256 == first.sha256  # unchanged


def test_only_quality_staff_issue_letters(wb, willow):
    letter = restriction_letter(wb, willow)
    from core.errors import NotAllowed

    for who in (wb.placement, wb.auditor, wb.board):
        with pytest.raises(NotAllowed):
            letter_issue(letter=letter, actor=who)
    assert not IssuedLetter.objects.exists()


def test_a_case_move_letter_names_the_case_and_its_lead_officer(somerset, willow):
    # 003 Table 4: "Please ask for" the officer who leads the case.
    letter = case_letter(somerset, willow, "rectification_notice")
    assert letter.status == LetterStatus.DRAFT, letter.problem
    assert letter.case_reference and letter.please_ask_for == somerset.officer
    issued = letter_issue(letter=letter, actor=somerset.manager)
    text = pdf_text(bytes(issued.pdf))
    assert letter.case_reference in text
    assert "within a maximum of six months from being issued with a Final Warning Notice" in (
        " ".join(text.split())
    )


def test_the_dass_agreement_form_holds_the_answers_given_to_resume_placements(bromley, willow):
    """000 Appendix 2: the form's rows filled from the move's own questions (000 8)."""
    from concerns.models import CaseMove, LetterRequest
    from concerns.services import case_open
    from notices.services import letter_write

    case = case_open(council=bromley.council, actor=bromley.officer, summary="RI", location=willow)
    move = CaseMove.objects.create(
        council=bromley.council,
        case=case,
        move_key="resume_placements",
        label="Resume placements",
        from_stage="formal",
        to_stage="closed",
        actor_label="Test",
        reason="All actions complete; Contract Compliance recommends resuming.",
        details={
            "cqc_action_plan_completed": "12 actions, all complete",
            "next_cqc_visit": "2027-03-01",
            "lbb_action_plan_completed": "Yes, 4 December",
        },
    )
    request = LetterRequest.objects.create(
        council=bromley.council, case=case, move=move, letter="dass_agreement_form", label="x"
    )
    letter = letter_write(council=bromley.council, source="concerns.letter", request_id=request.pk)
    assert letter.status == LetterStatus.DRAFT, letter.problem
    text = " ".join(pdf_text(bytes(letter_issue(letter=letter, actor=bromley.officer).pdf)).split())
    assert "12 actions, all complete" in text
    assert "1 March 2027" in text  # the date answered, in words
    assert "Anticipated date of next CQC visit" in text


def test_a_provider_told_by_hand_sets_the_draft_aside(
    wb, willow, django_capture_on_commit_callbacks
):
    """004 19.1 met another way (a letter sent outside the system, recorded by hand): the
    draft is not left waiting to be issued."""
    from tests.restrictions.conftest import tell_provider

    letter = restriction_letter(wb, willow)
    r_id = int(letter.subject_id)
    from restrictions.models import Restriction

    with django_capture_on_commit_callbacks(execute=True):
        tell_provider(wb, Restriction.objects.get(pk=r_id))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CANCELLED and "told another way" in letter.problem
    with pytest.raises(Conflict):
        letter_issue(letter=letter, actor=wb.officer)

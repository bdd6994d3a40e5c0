"""Sending issued letters and recording what came back: an email with the PDF attached (the
console backend for `make run`, SMTP from settings), tried again with backoff for a day when
it fails or bounces and never lost; posting recorded by a person; the provider's confirmation
of receipt."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core.actors import actor_label, require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.models import NotificationKind
from core.notify import notify
from notices.models import Delivery, DeliveryStatus, Letter, LetterStatus

log = logging.getLogger(__name__)

# 1, 2, 4 ... minutes, capped at 4 hours: about a day over 12 attempts.
MAX_ATTEMPTS = 12


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 240))


def _body(letter: Letter) -> str:
    council = letter.council
    return (
        f"Dear {letter.addressee_name or 'Sir or Madam'},\n\n"
        f"Please find attached our letter {letter.reference}: {letter.title}.\n\n"
        + (
            "Please confirm receipt by replying to this email, quoting our reference.\n\n"
            if letter.issue.data.get("letter", {}).get("confirm_receipt")
            else ""
        )
        + f"Yours faithfully,\n{council}\n"
    )


def delivery_send(*, delivery_id: int) -> Delivery | None:
    """Send one email delivery, once: it is claimed under a row lock, so two workers never
    both send it; a failure keeps the letter issued and schedules another try."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("letter__council", "letter__issue")
            .filter(pk=delivery_id, channel="email")
            .filter(
                status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED, DeliveryStatus.BOUNCED]
            )
            .first()
        )
        if delivery is None:
            return None
        letter = delivery.letter
        issue = letter.issue
        message = EmailMessage(
            subject=f"{letter.title}: {letter.reference}"[:200],
            body=_body(letter),
            to=[delivery.to],
        )
        message.attach(issue.filename, bytes(issue.pdf), "application/pdf")
        delivery.attempts += 1
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - any failure of the mail server
            log.warning("Letter %s to %s not sent: %s", letter.reference, delivery.to, exc)
            _failed(delivery, str(exc) or exc.__class__.__name__)
        else:
            delivery.status, delivery.sent_at = DeliveryStatus.SENT, timezone.now()
            delivery.last_error, delivery.next_try_at = "", None
        delivery.save()
    return delivery


def _failed(delivery: Delivery, error: str) -> None:
    delivery.last_error = error[:500]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_try_at = DeliveryStatus.GAVE_UP, None
        letter = delivery.letter
        notify(
            council=letter.council,
            user_ids=[letter.signatory_id, letter.please_ask_for_id],
            kind=NotificationKind.WAITING,
            title=f"Not delivered: {letter.title} {letter.reference} to {delivery.to}. "
            "Send it another way.",
            url=f"/letters/{letter.pk}/",
            key=f"delivery:{delivery.pk}:gave_up",
        )
    else:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_try_at = timezone.now() + backoff(delivery.attempts)


@transaction.atomic
def delivery_record_bounce(*, delivery: Delivery, actor, reason: str) -> Delivery:
    """The mail system (or a person) reports that an email did not arrive: it is marked and
    sent again later (an address may be full or down for a while)."""
    delivery = Delivery.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
    require(actor, "notices.issue_letter", delivery.letter)
    if delivery.channel != "email" or delivery.status not in (
        DeliveryStatus.SENT,
        DeliveryStatus.FAILED,
    ):
        raise Conflict("Only an email that was sent can bounce.")
    reason = (reason or "").strip()[:500] if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed("", errors={"reason": ["Say what the mail system answered."]})
    delivery.status = DeliveryStatus.BOUNCED
    _failed(delivery, f"bounced: {reason}")
    if delivery.status == DeliveryStatus.FAILED:
        delivery.status = DeliveryStatus.BOUNCED  # shown as bounced; still tried again
    delivery.save()
    audit_record(
        council=delivery.council,
        actor=actor,
        action="letter.bounced",
        summary=f"Email of letter {delivery.letter.reference} to {delivery.to} bounced",
        obj=delivery.letter,
        reason=reason,
    )
    return delivery


@transaction.atomic
def delivery_retry(*, delivery: Delivery, actor) -> Delivery:
    """Send a failed or bounced email again now (a person asks, or the retry sweep)."""
    delivery = Delivery.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
    require(actor, "notices.issue_letter", delivery.letter)
    if delivery.channel != "email" or delivery.status not in (
        DeliveryStatus.FAILED,
        DeliveryStatus.BOUNCED,
        DeliveryStatus.GAVE_UP,
    ):
        raise Conflict("Only an email that failed is sent again.")
    delivery.status, delivery.next_try_at = DeliveryStatus.FAILED, timezone.now()
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.attempts = MAX_ATTEMPTS - 1  # one more try, asked for by a person
    delivery.save()
    return delivery


def _day(value, field: str, errors: dict, *, not_before: dt.date | None) -> None:
    if not isinstance(value, dt.date):
        errors[field] = ["Enter a date."]
    elif value > timezone.localdate():
        errors[field] = ["The date cannot be in the future."]
    elif not_before and value < not_before:
        errors[field] = [f"The date cannot be before the letter ({not_before:%-d %B %Y})."]


@transaction.atomic
def letter_record_post(*, letter: Letter, actor, sent_on: dt.date) -> Delivery:
    letter = Letter.objects.select_for_update(of=("self",)).get(pk=letter.pk)
    require(actor, "notices.issue_letter", letter, "You may not record letters here.")
    if letter.status != LetterStatus.ISSUED:
        raise Conflict("Issue the letter before recording that it was posted.")
    if letter.sent_by_post_on:
        raise Conflict(f"It was recorded as posted on {letter.sent_by_post_on:%-d %B %Y}.")
    errors: dict = {}
    _day(sent_on, "sent_on", errors, not_before=letter.dated)
    if errors:
        raise ValidationFailed("", errors=errors)
    letter.sent_by_post_on = sent_on
    letter.save(update_fields=["sent_by_post_on", "updated_at"])
    delivery = Delivery.objects.create(
        council=letter.council,
        letter=letter,
        channel="post",
        to="; ".join([letter.addressee_organisation, *letter.address_lines])[:600],
        status=DeliveryStatus.SENT,
        attempts=1,
        sent_at=timezone.now(),
        recorded_by_label=actor_label(actor),
    )
    audit_record(
        council=letter.council,
        actor=actor,
        action="letter.posted",
        summary=f"{letter.title} {letter.reference} posted {sent_on:%-d %B %Y}",
        obj=letter,
    )
    return delivery


@transaction.atomic
def letter_record_receipt(*, letter: Letter, actor, received_on: dt.date, how: str) -> Letter:
    """The provider confirmed receipt (003 Tables 4, 5: "Please confirm receipt")."""
    letter = Letter.objects.select_for_update(of=("self",)).get(pk=letter.pk)
    require(actor, "notices.issue_letter", letter, "You may not record letters here.")
    if letter.status not in (LetterStatus.ISSUED, LetterStatus.REPLACED):
        raise Conflict("Only an issued letter has its receipt confirmed.")
    if letter.receipt_confirmed_on:
        raise Conflict(f"Receipt was confirmed on {letter.receipt_confirmed_on:%-d %B %Y}.")
    errors: dict = {}
    _day(received_on, "received_on", errors, not_before=letter.dated)
    how = (how or "").strip() if isinstance(how, str) else ""
    if not how:
        errors["how"] = ["Say how the provider confirmed it (for example: email from the owner)."]
    elif len(how) > 300:
        errors["how"] = ["Keep it to 300 characters."]
    if errors:
        raise ValidationFailed("", errors=errors)
    letter.receipt_confirmed_on, letter.receipt_how = received_on, how
    letter.save(update_fields=["receipt_confirmed_on", "receipt_how", "updated_at"])
    audit_record(
        council=letter.council,
        actor=actor,
        action="letter.receipt_confirmed",
        summary=f"Receipt of {letter.title} {letter.reference} confirmed {received_on:%-d %B %Y}",
        obj=letter,
    )
    return letter

"""Issuing a letter: refused without an addressee or a postal address; made into its PDF,
stored with its SHA-256 and the data it was made from (append-only), sent by email when
there is an address, and its request told (the provider told: the time limit met, the appeal
window opened). A correction is a new version that names the one it replaces."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.actors import actor_label, person_of, require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.letters import SOURCES
from core.pdf import sha256
from core.references import next_reference
from notices import events
from notices.data import letter_data
from notices.models import Delivery, IssuedLetter, Letter, LetterStatus
from notices.pack import Letters
from notices.render import TemplateProblem, letter_pdf


def _locked(letter: Letter) -> Letter:
    return (
        Letter.objects.select_for_update(of=("self",))
        .select_related("council", "provider", "location", "replaces")
        .get(pk=letter.pk)
    )


@transaction.atomic
def letter_issue(*, letter: Letter, actor) -> IssuedLetter:
    letter = _locked(letter)
    council = letter.council
    require(actor, "notices.issue_letter", letter, "You may not issue letters here.")
    if letter.status == LetterStatus.ISSUED:
        raise Conflict(f"{letter.title} {letter.reference} was issued already.")
    if not letter.is_open:
        raise Conflict(f"{letter.title} {letter.reference} is {letter.get_status_display()}.")
    errors: dict[str, list[str]] = {}
    if not (letter.addressee_name or letter.addressee_organisation):
        errors["addressee_organisation"] = ["Enter whom the letter is to."]
    if not letter.address_lines:
        errors["address"] = ["Enter the postal address: every letter has one, even if emailed."]
    if errors:
        raise ValidationFailed("The letter cannot be issued yet.", errors=errors)
    letters = Letters.of(council)
    template = letters.template(letter.kind)
    if template is None:
        raise ValidationFailed(letter.problem, errors={"template": [letter.problem]})
    today = timezone.localdate()
    letter.dated = today
    if letter.signatory_id is None:
        letter.signatory = person_of(actor)
    if letter.please_ask_for_id is None:
        letter.please_ask_for = person_of(actor)
    data = letter_data(letter, letters=letters, template=template, today=today)
    try:
        pdf = letter_pdf(template.template, data)
    except TemplateProblem as problem:
        letter.status, letter.problem = LetterStatus.PROBLEM, problem.message[:500]
        letter.save(update_fields=["status", "problem", "updated_at"])
        raise
    replaced_issue = None
    if letter.replaces_id:
        replaced_issue = IssuedLetter.objects.filter(letter_id=letter.replaces_id).first()
    issued = IssuedLetter.objects.create(
        council=council,
        letter=letter,
        reference=letter.reference,
        version=letter.version,
        replaces=replaced_issue,
        title=letter.title,
        dated=today,
        pdf=pdf,
        sha256=sha256(pdf),
        data=data,
        issued_by=person_of(actor),
        issued_by_label=actor_label(actor),
    )
    letter.status, letter.problem = LetterStatus.ISSUED, ""
    letter.issued_at, letter.issued_by_label = timezone.now(), actor_label(actor)
    letter.save()
    if letter.replaces_id:
        Letter.objects.filter(pk=letter.replaces_id).update(status=LetterStatus.REPLACED)
    how = "to be posted"
    if letter.email:
        delivery = Delivery.objects.create(
            council=council, letter=letter, channel="email", to=letter.email
        )
        how = f"by email to {letter.email}"  # sent by a task on `letter_issued`
        delivery.save(update_fields=["updated_at"])
    if letter.version == 1:
        SOURCES[letter.source].issued(
            council=council,
            request_id=letter.source_id,
            reference=letter.reference,
            on=today,
            how=how,
        )
    audit_record(
        council=council,
        actor=actor,
        action="letter.issued",
        summary=f"{letter.title} {letter.reference} issued to "
        f"{letter.addressee_organisation or letter.addressee_name}"
        + (f", replacing {letter.replaces.reference}" if letter.replaces_id else ""),
        obj=letter,
        data={"sha256": issued.sha256, "version": letter.version, "how": how},
    )
    events.letter_issued.publish(council_id=council.pk, letter_id=letter.pk)
    return issued


@transaction.atomic
def letter_correct(*, letter: Letter, actor, reason: str) -> Letter:
    """A new draft that will replace an issued letter (an issued letter never changes)."""
    letter = _locked(letter)
    require(actor, "notices.issue_letter", letter, "You may not correct letters here.")
    if letter.status != LetterStatus.ISSUED:
        raise Conflict("Only an issued letter is corrected; change the draft instead.")
    if Letter.objects.filter(replaces=letter).exists():
        raise Conflict(f"{letter.reference} already has a correction.")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed("", errors={"reason": ["Say what is wrong with the letter."]})
    if len(reason) > 1000:
        raise ValidationFailed("", errors={"reason": ["Keep it to 1000 characters."]})
    letters = Letters.of(letter.council)
    fields = [
        "council", "kind", "title", "seed", "source", "source_id", "subject_type", "subject_id",
        "provider_id", "location_id", "case_id", "case_reference", "addressee_name",
        "addressee_role", "addressee_organisation", "address", "email", "please_ask_for_id",
        "signatory_id", "note", "facts", "requested_on",
    ]  # fmt: skip
    new = Letter(**{f: getattr(letter, f) for f in fields})
    new.version, new.replaces = letter.version + 1, letter
    new.reference = next_reference(
        council=letter.council, model=Letter, prefix=letters.reference_prefix, width=4
    )
    new.written_at = timezone.now()
    new.status = LetterStatus.DRAFT
    new.save()
    audit_record(
        council=letter.council,
        actor=actor,
        action="letter.correction_started",
        summary=f"Correction {new.reference} of {letter.title} {letter.reference} started",
        obj=new,
        reason=reason,
    )
    return new


@transaction.atomic
def letter_cancel(*, letter: Letter, actor, reason: str) -> Letter:
    """A draft that will not be sent (the request was a mistake); kept, with the reason."""
    letter = _locked(letter)
    require(actor, "notices.issue_letter", letter, "You may not cancel letters here.")
    if not letter.is_open:
        raise Conflict(f"{letter.title} {letter.reference} is {letter.get_status_display()}.")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > 1000:
        raise ValidationFailed(
            "", errors={"reason": ["Say why it will not be sent (up to 1000 characters)."]}
        )
    letter.status = LetterStatus.CANCELLED
    letter.problem = reason[:500]
    letter.save(update_fields=["status", "problem", "updated_at"])
    audit_record(
        council=letter.council,
        actor=actor,
        action="letter.cancelled",
        summary=f"{letter.title} {letter.reference} will not be sent",
        obj=letter,
        reason=reason,
    )
    return letter


@transaction.atomic
def letters_not_needed(*, council, source: str, request_id: int) -> int:
    """The request was met another way (recorded by hand): its open draft is not to be
    issued. How many were set aside."""
    open_ones = list(
        Letter.objects.select_for_update(of=("self",)).filter(
            council=council,
            source=source,
            source_id=request_id,
            replaces__isnull=True,
            status__in=[LetterStatus.WAITING, LetterStatus.DRAFT, LetterStatus.PROBLEM],
        )
    )
    for letter in open_ones:
        letter.status = LetterStatus.CANCELLED
        letter.problem = "Not needed: the provider was recorded as told another way."
        letter.save(update_fields=["status", "problem", "updated_at"])
        audit_record(
            council=council,
            actor=None,
            action="letter.not_needed",
            summary=f"{letter.title} {letter.reference} not needed: told another way",
            obj=letter,
        )
    return len(open_ones)

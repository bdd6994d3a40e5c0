"""Writing a letter from its request (a Celery task, `notices.tasks.letter_write_task`), and
the officer's changes to the draft before it is issued."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.letters import SOURCES
from core.models import NotificationKind
from core.notify import notify
from core.references import next_reference
from councils.selectors import is_member_of
from notices.data import letter_data
from notices.models import Letter, LetterStatus
from notices.pack import Letters
from notices.render import TemplateProblem, letter_html, letter_pdf
from providers.models import Location, Provider

LIMITS = {
    "addressee_name": 200,
    "addressee_role": 200,
    "addressee_organisation": 300,
    "address": 600,
    "email": 254,
    "note": 4000,
}


def _default_addressee(letter: Letter, to: str) -> None:
    """Whom to write to: as the last letter to this provider was addressed (the officer
    corrected it then), else from the register: the owner (the Nominated Individual) at the
    provider's address, or the registered manager at the location."""
    last = (
        Letter.objects.filter(council=letter.council, provider=letter.provider)
        .exclude(pk=letter.pk)
        .exclude(address="")
        .order_by("-created_at", "-id")
        .first()
        if letter.provider_id
        else None
    )
    if last is not None and (to != "registered_manager" or last.location_id == letter.location_id):
        for field in ("addressee_name", "addressee_role", "addressee_organisation", "address"):
            setattr(letter, field, getattr(last, field))
        letter.email = last.email
        return
    provider: Provider | None = letter.provider
    location: Location | None = letter.location
    if to == "registered_manager" and location is not None:
        letter.addressee_role = "The Registered Manager"
        letter.addressee_organisation = location.name
        parts = [location.address_line1, location.address_line2, location.town, location.postcode]
    elif provider is not None:
        letter.addressee_name = provider.nominated_individual
        letter.addressee_role = "Nominated Individual" if provider.nominated_individual else ""
        letter.addressee_organisation = provider.name
        parts = [provider.address, provider.postcode]
        if not any(parts) and location is not None:  # the register has no head office
            parts = [location.name, location.address_line1, location.address_line2,
                     location.town, location.postcode]  # fmt: skip
    else:
        parts = []
    lines = [p.strip() for part in parts for p in (part or "").split(",") if p.strip()]
    letter.address = "\n".join(lines)


def check_template(letter: Letter, letters: Letters) -> None:
    """The draft's status: ready to preview, or a problem naming what is missing."""
    template = letters.template(letter.kind)
    if template is None:
        letter.status = LetterStatus.PROBLEM
        letter.problem = f"{letter.council}'s policy pack has no template for “{letter.title}”."
        return
    try:
        letter_html(template.template, letter_data(letter, letters=letters, template=template))
    except TemplateProblem as problem:
        letter.status, letter.problem = LetterStatus.PROBLEM, problem.message[:500]
        return
    letter.status, letter.problem = LetterStatus.DRAFT, ""


@transaction.atomic
def letter_write(*, council, source: str, request_id: int) -> Letter | None:
    """Write the draft of the letter a request asks for, once: run again (the task redelivered,
    the catch-up sweep) it gives the letter already written."""
    existing = Letter.objects.filter(
        council=council, source=source, source_id=request_id, replaces__isnull=True
    ).first()
    if existing is not None:
        return existing
    found = SOURCES[source].facts(council=council, request_id=request_id)
    if found is None:
        return None
    letters = Letters.of(council)
    template = letters.template(found.letter)
    letter = Letter(
        council=council,
        kind=found.letter,
        title=(template.title if template else found.label)[:200],
        seed=(template.seed if template else found.seed)[:100],
        source=source,
        source_id=request_id,
        subject_type=found.subject[0],
        subject_id=found.subject[1],
        provider_id=found.provider_id,
        location_id=found.location_id,
        case_id=found.case_id,
        case_reference=found.case_reference,
        facts=found.facts,
        requested_on=found.requested_on,
        please_ask_for_id=found.please_ask_for_id,
        reference=next_reference(
            council=council, model=Letter, prefix=letters.reference_prefix, width=4
        ),
        written_at=timezone.now(),
    )
    _default_addressee(letter, template.to if template else "owner")
    check_template(letter, letters)
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:  # written at the same moment by another worker
        return Letter.objects.get(
            council=council, source=source, source_id=request_id, replaces__isnull=True
        )
    about = letter.location.name if letter.location_id else str(letter.provider or "")
    notify(  # the officer who leads the case is asked to check it
        council=council,
        user_ids=[letter.please_ask_for_id],
        kind=NotificationKind.WAITING,
        title=f"A letter to check and issue: {letter.title}, {about} ({letter.reference})",
        url=f"/letters/{letter.pk}/",
        key=f"letter:{letter.pk}:written",
    )
    audit_record(
        council=council,
        actor=None,
        action="letter.written",
        summary=f"{letter.title} {letter.reference} written for "
        f"{letter.addressee_organisation or 'the provider'}",
        obj=letter,
    )
    return letter


def _person(council, user_id, field: str, errors: dict):
    if user_id in (None, ""):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not is_member_of(council, user):
        errors[field] = ["Choose someone who works for this council."]
        return None
    return user


@transaction.atomic
def letter_update(*, letter: Letter, actor, changes: dict) -> Letter:
    """Correct a draft before it is issued: whom it is to, the address, the email it goes
    to, who to ask for and who signs, and a paragraph of the officer's own."""
    letter = Letter.objects.select_for_update(of=("self",)).get(pk=letter.pk)
    require(actor, "notices.issue_letter", letter, "You may not change letters here.")
    if not letter.is_open:
        raise Conflict(f"{letter.title} {letter.reference} is {letter.get_status_display()}.")
    errors: dict[str, list[str]] = {}
    for field, limit in LIMITS.items():
        if field not in changes:
            continue
        value = changes[field]
        if not isinstance(value, str):
            errors[field] = ["Enter text."]
            continue
        value = value.strip().replace("\r\n", "\n")
        if len(value) > limit:
            errors[field] = [f"Keep it to {limit} characters."]
            continue
        if field == "email" and value:
            try:
                validate_email(value)
            except ValidationError:
                errors[field] = ["Enter an email address like name@example.org."]
                continue
        if field == "address" and len(value.splitlines()) > 8:
            errors[field] = ["Keep the address to 8 lines."]
            continue
        setattr(letter, field, value)
    for field in ("please_ask_for", "signatory"):
        if field in changes:
            setattr(letter, field, _person(letter.council, changes[field], field, errors))
    if errors:
        raise ValidationFailed("The letter could not be changed.", errors=errors)
    if not changes:
        return letter
    check_template(letter, Letters.of(letter.council))
    letter.save()
    audit_record(
        council=letter.council,
        actor=actor,
        action="letter.changed",
        summary=f"{letter.title} {letter.reference} changed before issue",
        obj=letter,
        data={"fields": sorted(changes)},
    )
    return letter


def letter_preview(*, letter: Letter, actor, today: dt.date | None = None) -> bytes:
    """The PDF as it would be issued today (nothing is kept); TemplateProblem names a field
    the template refers to that the letter does not have."""
    require(actor, "notices.view_letters", letter)
    if letter.status == LetterStatus.ISSUED:
        return bytes(letter.issue.pdf)
    letters = Letters.of(letter.council)
    template = letters.template(letter.kind)
    if template is None:
        raise ValidationFailed(letter.problem, errors={"template": [letter.problem]})
    data = letter_data(
        letter, letters=letters, template=template, today=today or timezone.localdate()
    )
    return letter_pdf(template.template, data)

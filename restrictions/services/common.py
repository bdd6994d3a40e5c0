"""What the restrictions services share: inputs checked the same way (text, the contact to call
first, a review date), who may ask, one open restriction per service, the row locked, and its
history written."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from core.actors import actor_label, person_of
from core.errors import Conflict, NotAllowed
from councils.models import Council
from councils.permissions import roles_in
from decisions.questions import MAX_TEXT
from restrictions.models import Restriction, RestrictionEvent, Status
from restrictions.pack import Action, Restrictions

MAX_REVIEW_DAYS = 731

WHOLE_PROVIDER = "All of the provider's services in the council"

THIS_SERVICE = "This service only"


def clean_text(
    value, field: str, errors: dict, *, required: str = "", limit: int = MAX_TEXT
) -> str:
    if value is not None and not isinstance(value, str):
        errors[field] = ["Give it as text."]
        return ""
    text = (value or "").strip()
    if required and not text:
        errors[field] = [required]
    elif len(text) > limit:
        errors[field] = [f"Keep it to {limit:,} characters."]
    return text


def clean_contact(contact: dict | None, errors: dict) -> dict:
    """The council contact placement staff call first (003 memo: "SCC Contact Name and
    Telephone Number"; "Staff will first contact the named manager")."""
    contact = contact or {}
    if not isinstance(contact, dict):
        errors["contact"] = ["Give the contact's name, telephone and email."]
        return {}
    out = {
        "contact_name": clean_text(contact.get("name"), "contact.name", errors, limit=200),
        "contact_phone": clean_text(contact.get("phone"), "contact.phone", errors, limit=40),
        "contact_email": clean_text(contact.get("email"), "contact.email", errors, limit=254),
    }
    if out["contact_email"]:
        try:
            validate_email(out["contact_email"])
        except ValidationError:
            errors["contact.email"] = ["Enter an email address like name@council.gov.uk."]
    if out["contact_phone"] and not all(
        ch.isdigit() or ch in " +()-" for ch in out["contact_phone"]
    ):
        errors["contact.phone"] = ["Enter a telephone number, like 01635 519 000."]
    return out


def clean_review_on(value, errors: dict, *, field: str = "review_on", today=None) -> dt.date | None:
    today = today or timezone.localdate()
    if value in (None, ""):
        return None
    if not isinstance(value, dt.date):
        errors[field] = ["Enter the review date."]
        return None
    if value < today:
        errors[field] = ["The review date cannot be in the past."]
    elif value > today + dt.timedelta(days=MAX_REVIEW_DAYS):
        errors[field] = ["Set a review within two years."]
    return value


def require_person_with(actor, council: Council, action: Action, pack: Restrictions) -> None:
    if person_of(actor) is None:
        raise NotAllowed("Restrictions are asked for by a person, in writing.")
    if not roles_in(actor, council) & action.by:
        raise NotAllowed(f"Only {pack.policy.roles_text(action.by)} may {action.label.lower()}.")


def event_record(r: Restriction, kind: str, *, on, actor, reason="", frm="", to="", rec=None):
    return RestrictionEvent.objects.create(
        council=r.council,
        restriction=r,
        kind=kind,
        on=on,
        from_level=frm,
        to_level=to,
        actor=person_of(actor),
        actor_label=actor_label(actor),
        reason=reason,
        recommendation=rec,
    )


def restriction_lock(restriction: Restriction | int) -> Restriction:
    return (
        Restriction.objects.select_for_update(of=("self",))
        .select_related("council__active_policy", "location", "provider")
        .get(pk=restriction if isinstance(restriction, int) else restriction.pk)
    )


def subject_label(r: Restriction, pack: Restrictions) -> str:
    return f"{pack.level(r.level).label}: {r.subject_label}"


def no_other_open(council, location, provider, pack: Restrictions) -> None:
    """One restriction proposed or in place per service (or whole provider) at a time: a
    second is a change of the first's level."""
    qs = Restriction.objects.filter(council=council, status__in=[Status.PROPOSED, Status.ACTIVE])
    qs = (
        qs.filter(location=location)
        if location is not None
        else qs.filter(location__isnull=True, provider=provider)
    )
    found = qs.first()
    if found is not None:
        raise Conflict(
            f"{found.reference} ({pack.level(found.level).label}) is already "
            f"{found.get_status_display().lower()} for {found.subject_label}: change its level "
            "instead."
        )

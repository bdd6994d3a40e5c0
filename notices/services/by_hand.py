"""Letters started by hand, that no move or decision asks for: the pack names who may start
each (000 5.i: "the client/family will be informed in writing by the Placement Officer of the
rating and the reasons, and that LBB could not recommend placing with the provider")."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.actors import person_of, require
from core.audit import audit_record
from core.errors import NotAllowed, ValidationFailed
from core.letters import LetterSource, letter_source
from core.references import next_reference
from councils.permissions import roles_in
from councils.policy import policy_of
from notices.models import Letter
from notices.pack import Letters
from notices.services.writing import check_template
from providers.models import Location

SOURCE = "notices.by_hand"


def _nothing_pending(*, council) -> list[int]:
    return []


def _no_facts(*, council, request_id: int):
    return None


def _told(*, council, request_id: int, reference: str, on, how: str) -> None:
    """Nothing else waits for a letter started by hand."""


letter_source(LetterSource(name=SOURCE, pending=_nothing_pending, facts=_no_facts, issued=_told))


@transaction.atomic
def letter_start(*, council, actor, kind: str, location: Location) -> Letter:
    """A draft of a letter the person's role may start by hand, about a location; its
    addressee is entered on the draft (a family is not in the register)."""
    require(actor, "notices.start_letter", council, "You may not write letters here.")
    letters = Letters.of(council)
    template = letters.template(kind) if isinstance(kind, str) else None
    if template is None or not template.written_by:
        raise ValidationFailed("", errors={"kind": ["Choose a letter from the list."]})
    if not template.written_by & roles_in(actor, council):
        raise NotAllowed(f"Your role does not write the {template.title}.")
    letter = Letter(
        council=council,
        kind=kind,
        title=template.title,
        seed=template.seed,
        source=SOURCE,
        source_id=0,
        subject_type="providers.location",
        subject_id=str(location.pk),
        provider=location.provider,
        location=location,
        please_ask_for=person_of(actor),
        requested_on=timezone.localdate(),
        reference=next_reference(
            council=council, model=Letter, prefix=letters.reference_prefix, width=4
        ),  # the council's row is locked from here: one number, one source id
        written_at=timezone.now(),
    )
    letter.source_id = Letter.objects.filter(council=council, source=SOURCE).count() + 1
    if template.to != "family":
        letter.addressee_organisation = location.provider.name
    check_template(letter, letters)
    letter.save()
    audit_record(
        council=council,
        actor=actor,
        action="letter.started",
        summary=f"{letter.title} {letter.reference} started about {location}",
        obj=letter,
    )
    return letter


def letters_by_hand(*, council, user) -> list:
    """The letters this person may start by hand (for the location page's link)."""
    letters = policy_of(council).section("letters") if council.active_policy_id else None
    return letters.by_hand(roles_in(user, council)) if letters else []

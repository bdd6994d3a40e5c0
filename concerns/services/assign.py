"""Who leads a case (issue 13): a manager gives an unassigned or reassigned case its lead
officer; an officer may take an unassigned case for themselves. Timers the case owns follow
the lead officer."""

from __future__ import annotations

from django.db import transaction

from concerns.models import Case
from concerns.services.cases import case_lock
from core.audit import audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.timers import timers_hand_over
from councils.models import Membership, Role

LEADS = (Role.OFFICER, Role.MANAGER)


@transaction.atomic
def case_assign(*, case: Case, actor, lead_officer) -> Case:
    council = case.council
    manages = actor.has_perm("concerns.assign_lead", council)
    refused = "Only a manager assigns a case; an officer may take an unassigned one."
    if not manages and not actor.has_perm("concerns.open_case", council):
        raise NotAllowed(refused)
    case = case_lock(case)
    if not manages and (
        lead_officer is None
        or lead_officer.pk != getattr(actor, "pk", None)
        or case.lead_officer_id is not None
    ):
        raise NotAllowed(refused)
    if not case.is_open:
        raise Conflict(f"{case.reference} is closed.")
    if (
        lead_officer is None
        or not Membership.objects.filter(
            council=council, user=lead_officer, role__in=LEADS, is_active=True
        ).exists()
    ):
        raise ValidationFailed(
            "", errors={"lead_officer": ["Choose one of the council's officers or managers."]}
        )
    if case.lead_officer_id == lead_officer.pk:
        raise Conflict(f"{lead_officer.get_full_name() or lead_officer} leads it already.")
    before = case.lead_officer
    case.lead_officer = lead_officer
    case.save(update_fields=["lead_officer"])
    timers_hand_over(council=council, subject=case, owner=lead_officer)
    name = lead_officer.get_full_name() or lead_officer.username
    audit_record(
        council=council,
        actor=actor,
        action="case.assigned",
        summary=f"{case.reference}: led by {name}"
        + (f" (was {before.get_full_name() or before.username})" if before else ""),
        obj=case,
    )
    return case

"""Telling the people a recommendation now waits for (subscribed to this app's own events):
those who hold the role and post of the next check, or the decider's post (and its delegates
on the day), or a board's decision makers. One notification each, once per step."""

from __future__ import annotations

from django.utils import timezone
from django_scopes import scope

from core.models import NotificationKind
from core.notify import notify
from core.taskbase import tenant
from councils.models import Delegation, Membership, Role
from decisions.chain import DECIDING_ROLES
from decisions.models import DecisionStep, Recommendation, Status


def awaiting_people(rec: Recommendation) -> set[int]:
    """Who may take the step the recommendation waits for now (as `awaiting_q` decides)."""
    if rec.status != Status.PENDING:
        return set()
    members = Membership.objects.filter(council_id=rec.council_id, is_active=True)
    if not rec.awaiting_decider:
        qs = members.filter(role=rec.awaiting_role)
        if rec.awaiting_post:
            qs = qs.filter(title=rec.awaiting_post)
    elif rec.awaiting_decider == "person":
        qs = members.filter(title=rec.awaiting_post, role__in=DECIDING_ROLES)
    else:  # a board: its decision makers record it
        qs = members.filter(role=Role.DECISION_MAKER)
    people = set(qs.values_list("user_id", flat=True))
    if rec.awaiting_decider == "person":
        today = timezone.localdate()
        people |= set(
            Delegation.objects.filter(
                council_id=rec.council_id,
                delegator__title=rec.awaiting_post,
                revoked_at__isnull=True,
                starts_on__lte=today,
                ends_on__gte=today,
            ).values_list("delegate_id", flat=True)
        )
    if rec.someone_else:
        acted = DecisionStep.objects.filter(recommendation=rec).values_list("actor_id", flat=True)
        people -= {rec.proposed_by_id, *acted}
    return people


def waiting_told(*, council_id: int, recommendation_id: int) -> None:
    """Subscribed to `recommendation_made` and `step_taken`."""
    council = tenant(council_id)
    with scope(council=council):
        rec = (
            Recommendation.objects.filter(council=council, pk=recommendation_id)
            .select_related("location", "provider")
            .first()
        )
        if rec is None:
            return
        about = rec.location.name if rec.location_id else f"{rec.provider} (all services)"
        notify(
            council=council,
            user_ids=awaiting_people(rec),
            kind=NotificationKind.WAITING,
            title=f"Waiting for you: {rec.label}, {about} ({rec.reference}): {rec.awaiting_label}",
            url=f"/decisions/{rec.pk}/",
            key=f"rec:{rec.pk}:step:{rec.step}",
        )

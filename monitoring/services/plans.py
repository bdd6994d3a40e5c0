"""Writes for improvement and action plans: started, actions added, reviewed (004 16.2)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.actors import actor_label, require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from councils.models import Council
from councils.selectors import is_member_of
from monitoring import events
from monitoring.models import (
    ActionStatus,
    ImprovementPlan,
    PlanAction,
    PlanKind,
    PlanReview,
    PlanStatus,
)
from monitoring.pack import plan_rules
from monitoring.services.risk import risk_recompute_later
from providers.models import Location

MAX_ACTIONS = 200


def _check_action(
    plan_start: dt.date, council: Council, action: dict, prefix: str, errors: dict
) -> None:
    if not (action.get("what") or "").strip():
        errors[f"{prefix}what"] = ["Say what must change."]
    if not (action.get("provider_lead") or "").strip():
        errors[f"{prefix}provider_lead"] = ["Say who at the provider makes the change."]
    monitor = action.get("council_monitor")
    if monitor is None or not is_member_of(council, monitor):
        errors[f"{prefix}council_monitor"] = ["Choose who in the council monitors it."]
    due = action.get("due_on")
    if not isinstance(due, dt.date):
        errors[f"{prefix}due_on"] = ["Enter the date it is due."]
    elif due < plan_start:
        errors[f"{prefix}due_on"] = ["An action cannot be due before its plan started."]


@transaction.atomic
def plan_create(
    *,
    council: Council,
    location: Location,
    actor,
    title: str,
    started_on: dt.date,
    kind: str = PlanKind.IMPROVEMENT,
    actions: list[dict] = (),
) -> ImprovementPlan:
    require(actor, "monitoring.change_monitoring", council)
    errors: dict[str, list[str]] = {}
    if kind not in PlanKind.values:
        errors["kind"] = ["Choose the kind of plan."]
    if not (title or "").strip():
        errors["title"] = ["Give the plan a title."]
    if not isinstance(started_on, dt.date):
        errors["started_on"] = ["Enter the date the plan started."]
    elif started_on > timezone.localdate():
        errors["started_on"] = ["The plan's start must be today or in the past."]
    elif len(actions) > MAX_ACTIONS:
        errors["actions"] = [f"A plan has at most {MAX_ACTIONS} actions."]
    else:
        for i, action in enumerate(actions):
            _check_action(started_on, council, action, f"actions[{i}].", errors)
    if errors:
        raise ValidationFailed("The plan could not be saved.", errors=errors)
    plan = ImprovementPlan.objects.create(
        council=council,
        location=location,
        kind=kind,
        title=title.strip(),
        started_on=started_on,
        created_by_label=actor_label(actor),
    )
    PlanAction.objects.bulk_create([PlanAction(council=council, plan=plan, **a) for a in actions])
    audit_record(
        council=council,
        actor=actor,
        action="plan.created",
        summary=f"{plan.get_kind_display()} “{plan.title}” for {location} started",
        obj=plan,
    )
    return plan


@transaction.atomic
def plan_action_add(*, plan: ImprovementPlan, actor, **action) -> PlanAction:
    require(actor, "monitoring.change_monitoring", plan.council)
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict("The plan is completed: start a new plan for new actions.")
    errors: dict[str, list[str]] = {}
    _check_action(plan.started_on, plan.council, action, "", errors)
    if errors:
        raise ValidationFailed("The action could not be added.", errors=errors)
    created = PlanAction.objects.create(council=plan.council, plan=plan, **action)
    audit_record(
        council=plan.council,
        actor=actor,
        action="plan.action_added",
        summary=f"Action added to “{plan.title}”",
        obj=plan,
    )
    return created


@transaction.atomic
def plan_review_record(
    *,
    plan: ImprovementPlan,
    actor,
    reviewed_on: dt.date,
    results: dict[int, bool],
    notes: str = "",
) -> PlanReview:
    """A plan review records met or not met for each open action. 004 16.2: a provider that
    "has failed to meet the majority of the requirements of an Improvement plan on more than
    3 reviews" is flagged (and its risk rating rises)."""
    require(actor, "monitoring.change_monitoring", plan.council)
    plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
    open_actions = {a.pk: a for a in plan.actions.exclude(status=ActionStatus.MET)}
    errors: dict[str, list[str]] = {}
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict("The plan is completed: it is no longer reviewed.")
    if not isinstance(reviewed_on, dt.date) or reviewed_on > timezone.localdate():
        errors["reviewed_on"] = ["The review date must be today or in the past."]
    elif reviewed_on < plan.started_on:
        errors["reviewed_on"] = ["The review cannot come before the plan started."]
    missing = set(open_actions) - set(results)
    unknown = set(results) - set(open_actions)
    if not open_actions:
        errors["results"] = ["Every action is met: there is nothing to review."]
    elif missing:
        errors["results"] = ["Say for each open action whether it was met."]
    elif unknown:
        errors["results"] = ["Only this plan's open actions can be reviewed."]
    if errors:
        raise ValidationFailed("The plan review could not be saved.", errors=errors)
    met = sum(1 for v in results.values() if v)
    review = PlanReview.objects.create(
        council=plan.council,
        plan=plan,
        reviewed_on=reviewed_on,
        met=met,
        not_met=len(results) - met,
        results={str(k): bool(v) for k, v in results.items()},
        notes=notes.strip(),
        by_label=actor_label(actor),
    )
    for pk, was_met in results.items():
        open_actions[pk].status = ActionStatus.MET if was_met else ActionStatus.NOT_MET
    PlanAction.objects.bulk_update(list(open_actions.values()), ["status"])
    if review.majority_not_met:
        plan.failed_reviews += 1
    if not plan.actions.exclude(status=ActionStatus.MET).exists():
        plan.status = PlanStatus.COMPLETED
    plan.save(update_fields=["failed_reviews", "status"])
    risk_recompute_later(council=plan.council, location=plan.location)
    events.plan_reviewed.publish(
        council_id=plan.council_id, plan_id=plan.pk, failing=plan_is_failing(plan)
    )
    audit_record(
        council=plan.council,
        actor=actor,
        action="plan.reviewed",
        summary=f"“{plan.title}” reviewed: {met} met, {review.not_met} not met",
        obj=plan,
    )
    return review


def plan_is_failing(plan: ImprovementPlan) -> bool:
    """004 16.2: most actions not met at more reviews than the pack allows."""
    return plan_rules(plan.council).is_failing(plan.failed_reviews)

"""Automatic triggers from the pack: they open a case or queue an alert, never twice for the
same cause (the alert's unique cause is the guard). They run when monitoring says something
changed (its events, subscribed in `ConcernsConfig.ready`, each queueing `triggers_check`),
and nightly over every location in scope so that a lost event is still caught.

- rating_below_good: 003 Key principles 1 "Inspection ratings below this standard will
  automatically constitute a service provider default"; 000 3.ii c the decision goes to the DASS.
- inadequate_safe, inadequate_in_three_or_more: 004 16.2.
- three_requires_improvement_or_one_inadequate: 004 16.3 "A Provider has 3 or more ‘requires
  improvement’ or one or more ‘inadequate’ ratings from the CQC" (Place with Caution).
- requires_improvement_not_improved: 001 App. 2 "improvements are not evident or sustained
  within 12 weeks" (a timer row, checked when it falls due).
- improvement_plan_failing: 004 16.2 "failed to meet the majority of the requirements of an
  Improvement plan on more than 3 reviews" (monitoring says when a plan fails; the rule is
  its, `monitoring.pack`).
- whole_service_concern: 003 Key principles 2."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from concerns.models import Alert, SafeguardingTrack
from concerns.pack import Ladder, Trigger
from concerns.services.alerts import alert_raise
from core.models import Timer
from core.timers import timer_start
from councils.models import Council
from councils.policy import policy_of
from monitoring.models import ImprovementPlan, Review
from monitoring.selectors import failing_plans, latest_rated_review, locations_in_scope
from providers.models import KEY_QUESTIONS, Location, Rating, RatingValue

BELOW_GOOD = (RatingValue.REQUIRES_IMPROVEMENT, RatingValue.INADEQUATE)
RI_TIMER = "concerns.requires_improvement_not_improved"


def has_ladder(council: Council) -> bool:
    return policy_of(council).has("escalation")


def rating_rule_holds(rule: str, rating: Rating) -> bool:
    if rule == "rating_below_good":
        return rating.overall in BELOW_GOOD
    if rule == "inadequate_safe":
        return rating.safe == RatingValue.INADEQUATE
    if rule == "inadequate_in_three_or_more":
        return sum(getattr(rating, f) == RatingValue.INADEQUATE for f, _ in KEY_QUESTIONS) >= 3
    if rule == "three_requires_improvement_or_one_inadequate":
        values = [getattr(rating, f) for f, _ in KEY_QUESTIONS]
        return (
            values.count(RatingValue.REQUIRES_IMPROVEMENT) >= 3 or RatingValue.INADEQUATE in values
        )
    return False


def _key_questions(rating: Rating) -> str:
    return ", ".join(f"{label} {value}" for label, value in rating.key_questions if value)


def _rating_detail(rating: Rating) -> str:
    kq = _key_questions(rating)
    return (
        f"CQC rated {rating.location} {rating.overall or 'without an overall rating'} "
        f"(report {rating.report_date:%d %B %Y})" + (f"; {kq}" if kq else "") + "."
    )


def check_rating(*, council: Council, rating: Rating, ladder: Ladder | None = None) -> list:
    """Apply the rating rules to a location's latest rating."""
    ladder = ladder or Ladder.of(council)
    raised = []
    location = rating.location
    for trigger in ladder.triggers:
        if trigger.rule == "requires_improvement_not_improved":
            if trigger.rating_source in ("cqc", "either") and (
                rating.overall == RatingValue.REQUIRES_IMPROVEMENT
            ):
                _start_ri_timer(
                    council, trigger, location, f"rating:{rating.pk}", rating.report_date
                )
            continue
        if rating_rule_holds(trigger.rule, rating):
            alert = alert_raise(
                council=council,
                trigger=trigger,
                cause=f"rating:{rating.pk}",
                detail=_rating_detail(rating),
                location=location,
                provider=location.provider,
            )
            if alert:
                raised.append(alert)
    return raised


def _start_ri_timer(council, trigger: Trigger, location, cause: str, since: dt.date) -> None:
    """001 App. 2: 12 weeks for the rating to improve (one clock per location at a time)."""
    if Alert.objects.filter(council=council, trigger=trigger.key, cause=cause).exists():
        return
    due = since + dt.timedelta(weeks=trigger.weeks)
    timer_start(
        council=council,
        kind=RI_TIMER,
        subject=location,
        due_on=due,
        due_at=timezone.make_aware(dt.datetime.combine(due, dt.time(7, 0))),
        label=f"{trigger.label}: {trigger.weeks} weeks to improve",
        seed=trigger.seed,
        starts_on=since,
        payload={"trigger": trigger.key, "cause": cause},
    )


def ri_timer_fired(timer: Timer) -> str:
    """12 weeks on: raise the alert if the rating that started the clock is still the latest
    and still Requires Improvement (or worse)."""
    council = timer.council
    ladder = Ladder.of(council)
    trigger = next((t for t in ladder.triggers if t.key == timer.payload.get("trigger")), None)
    if trigger is None:
        return "the council's policy no longer has this trigger"
    location = Location.objects.select_related("provider").get(pk=int(timer.subject_id))
    cause = timer.payload["cause"]
    kind = cause.partition(":")[0]
    if kind == "rating":
        latest = Rating.objects.filter(location=location).order_by("-report_date", "-id").first()
        # Not improved: the latest rating, whichever report it is, is still below Good.
        if latest is None or latest.overall not in BELOW_GOOD:
            return "improved"
        detail = f"{_rating_detail(latest)} Not improved within {trigger.weeks} weeks."
    else:
        latest = latest_rated_review(council=council, location=location)
        if latest is None or latest.rating not in BELOW_GOOD:
            return "improved"
        detail = (
            f"The council's assessment of {location} on {latest.visited_on:%d %B %Y} was "
            f"{latest.rating}, not improved within {trigger.weeks} weeks."
        )
    alert = alert_raise(
        council=council,
        trigger=trigger,
        cause=cause,
        detail=detail,
        location=location,
        provider=location.provider,
    )
    return "alert raised" if alert else "already raised"


def check_assessment(*, council: Council, review: Review) -> None:
    """A rated assessment of the council's own (001: PAMMS) starts the 12-week clock."""
    if review.rating not in BELOW_GOOD:
        return
    for trigger in Ladder.of(council).triggers:
        if trigger.rule == "requires_improvement_not_improved" and trigger.rating_source in (
            "council_assessment",
            "either",
        ):
            _start_ri_timer(
                council, trigger, review.location, f"assessment:{review.pk}", review.visited_on
            )


def raise_plan_failing(*, council: Council, plan: ImprovementPlan) -> list:
    """A plan monitoring found failing (004 16.2) raises the rule's alert, once per plan."""
    raised = []
    for trigger in Ladder.of(council).triggers:
        if trigger.rule == "improvement_plan_failing":
            alert = alert_raise(
                council=council,
                trigger=trigger,
                cause=f"plan:{plan.pk}",
                detail=(f"“{plan.title}”: most actions not met at {plan.failed_reviews} reviews."),
                location=plan.location,
                provider=plan.location.provider,
            )
            if alert:
                raised.append(alert)
    return raised


def check_safeguarding(*, council: Council, track: SafeguardingTrack) -> list:
    raised = []
    case = track.case
    for trigger in Ladder.of(council).triggers:
        if trigger.rule == "whole_service_concern":
            alert = alert_raise(
                council=council,
                trigger=trigger,
                cause=f"safeguarding:{track.pk}",
                detail=f"{track.label} opened on {case.reference}: {track.reason}",
                location=case.location,
                provider=case.provider,
            )
            if alert:
                raised.append(alert)
    return raised


def ratings_of_concern(*, council: Council) -> QuerySet:
    """The latest rating of each location in the council's scope, where it is below Good or
    Inadequate in any key question."""
    latest = Rating.objects.filter(location=OuterRef("pk")).order_by("-report_date", "-id")
    rating_ids = (
        locations_in_scope(council)
        .annotate(latest_id=Subquery(latest.values("pk")[:1]))
        .exclude(latest_id=None)
        .values_list("latest_id", flat=True)
    )
    worrying = Q(overall__in=BELOW_GOOD)
    for field, _ in KEY_QUESTIONS:
        worrying |= Q(**{field: RatingValue.INADEQUATE})
    return Rating.objects.filter(worrying, pk__in=list(rating_ids)).select_related(
        "location__provider"
    )


def sweep_ratings(*, council: Council) -> int:
    """Nightly: apply the rating rules to every location in the council's scope whose latest
    rating is worrying (a location newly commissioned, or a missed event). Raises nothing
    twice."""
    ladder = Ladder.of(council)
    if not any(t.rule != "whole_service_concern" for t in ladder.triggers):
        return 0
    raised = 0
    for rating in ratings_of_concern(council=council):
        raised += len(check_rating(council=council, rating=rating, ladder=ladder))
    return raised


def sweep_plans(*, council: Council) -> int:
    """Failing improvement plans (004 16.2) not yet raised."""
    if not any(t.rule == "improvement_plan_failing" for t in Ladder.of(council).triggers):
        return 0
    return sum(
        len(raise_plan_failing(council=council, plan=plan))
        for plan in failing_plans(council=council)
    )


def sweep_safeguarding(*, council: Council) -> int:
    """Open Whole Service Concerns (003 Key principles 2) not yet raised."""
    if not any(t.rule == "whole_service_concern" for t in Ladder.of(council).triggers):
        return 0
    tracks = SafeguardingTrack.objects.filter(
        council=council, closed_at__isnull=True
    ).select_related("case__location", "case__provider")
    return sum(len(check_safeguarding(council=council, track=t)) for t in tracks)


def check(*, council: Council, kind: str, object_id: int) -> None:
    """Entry point for the task: what changed, by kind."""
    if not has_ladder(council):
        return
    if kind == "rating":
        rating = Rating.objects.select_related("location__provider").get(pk=object_id)
        check_rating(council=council, rating=rating)
    elif kind == "assessment":
        check_assessment(
            council=council, review=Review.objects.select_related("location").get(pk=object_id)
        )
    elif kind == "plan":
        plan = ImprovementPlan.objects.select_related("location__provider").get(pk=object_id)
        raise_plan_failing(council=council, plan=plan)
    elif kind == "safeguarding":
        check_safeguarding(
            council=council,
            track=SafeguardingTrack.objects.select_related("case").get(pk=object_id),
        )
    else:
        raise ValueError(f"Unknown trigger check {kind!r}")

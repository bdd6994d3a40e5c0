"""Automatic triggers from the pack: they open a case or queue an alert, never twice for the
same cause (the alert's unique cause is the guard).

- rating_below_good: 003 Key principles 1 "Inspection ratings below this standard will
  automatically constitute a service provider default"; 000 3.ii c the decision goes to the DASS.
- inadequate_safe, inadequate_in_three_or_more: 004 16.2.
- requires_improvement_not_improved: 001 App. 2 "improvements are not evident or sustained
  within 12 weeks" (a timer row, checked when it falls due).
- improvement_plan_failing: 004 16.2 "failed to meet the majority of the requirements of an
  Improvement plan on more than 3 reviews".
- whole_service_concern: 003 Key principles 2."""

import datetime as dt

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from concerns.ladder import Ladder, Trigger
from concerns.models import Alert
from concerns.services import alert_raise
from core.models import Timer
from councils.models import Council
from providers.models import KEY_QUESTIONS, Location, Rating, RatingValue

BELOW_GOOD = (RatingValue.REQUIRES_IMPROVEMENT, RatingValue.INADEQUATE)
RI_TIMER = "concerns.requires_improvement_not_improved"


def rating_rule_holds(rule: str, rating: Rating) -> bool:
    if rule == "rating_below_good":
        return rating.overall in BELOW_GOOD
    if rule == "inadequate_safe":
        return rating.safe == RatingValue.INADEQUATE
    if rule == "inadequate_in_three_or_more":
        return sum(getattr(rating, f) == RatingValue.INADEQUATE for f, _ in KEY_QUESTIONS) >= 3
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
    due = timezone.make_aware(
        dt.datetime.combine(since + dt.timedelta(weeks=trigger.weeks), dt.time(7, 0))
    )
    if Alert.objects.filter(council=council, trigger=trigger.key, cause=cause).exists():
        return
    Timer.objects.get_or_create(
        council=council,
        kind=RI_TIMER,
        subject_type="providers.location",
        subject_id=str(location.pk),
        fired_at__isnull=True,
        cancelled_at__isnull=True,
        defaults={"due_at": due, "payload": {"trigger": trigger.key, "cause": cause}},
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
        from monitoring.models import Review, ReviewStatus

        latest = (
            Review.objects.filter(council=council, location=location, status=ReviewStatus.COMPLETED)
            .exclude(rating="")
            .order_by("-visited_on", "-id")
            .first()
        )
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


def check_assessment(*, council: Council, review) -> None:
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


def check_plan(*, council: Council, plan) -> list:
    from monitoring.services import plan_is_failing

    if not plan_is_failing(plan):
        return []
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


def check_safeguarding(*, council: Council, track) -> list:
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


def sweep_ratings(*, council: Council) -> int:
    """Nightly: apply the rating rules to every location in the council's scope whose latest
    rating is below Good (a location newly commissioned, or a missed event). Raises nothing
    twice."""
    from monitoring.risk import locations_in_scope

    ladder = Ladder.of(council)
    if not any(t.rule != "whole_service_concern" for t in ladder.triggers):
        return 0
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
    raised = 0
    ratings = Rating.objects.filter(worrying, pk__in=list(rating_ids))
    for rating in ratings.select_related("location__provider"):
        raised += len(check_rating(council=council, rating=rating, ladder=ladder))
    return raised


def sweep_plans(*, council: Council) -> int:
    """Failing improvement plans (004 16.2) not yet raised."""
    from monitoring.models import ImprovementPlan, PlanStatus

    if not any(t.rule == "improvement_plan_failing" for t in Ladder.of(council).triggers):
        return 0
    limit = council.active_policy.content["improvement_plans"]["failed_reviews_more_than"]
    plans = ImprovementPlan.objects.filter(
        council=council, status=PlanStatus.ACTIVE, failed_reviews__gt=limit
    ).select_related("location__provider", "council__active_policy")
    return sum(len(check_plan(council=council, plan=plan)) for plan in plans)


def sweep_safeguarding(*, council: Council) -> int:
    """Open Whole Service Concerns (003 Key principles 2) not yet raised."""
    from concerns.models import SafeguardingTrack

    if not any(t.rule == "whole_service_concern" for t in Ladder.of(council).triggers):
        return 0
    tracks = SafeguardingTrack.objects.filter(
        council=council, closed_at__isnull=True
    ).select_related("case__location", "case__provider")
    return sum(len(check_safeguarding(council=council, track=t)) for t in tracks)


def check(*, council: Council, kind: str, object_id: int) -> None:
    """Entry point for the task: what changed, by kind."""
    if kind == "rating":
        rating = Rating.objects.select_related("location__provider").get(pk=object_id)
        check_rating(council=council, rating=rating)
    elif kind == "assessment":
        from monitoring.models import Review

        check_assessment(council=council, review=Review.objects.get(pk=object_id))
    elif kind == "plan":
        from monitoring.models import ImprovementPlan

        plan = ImprovementPlan.objects.select_related("location__provider").get(pk=object_id)
        check_plan(council=council, plan=plan)
    elif kind == "safeguarding":
        from concerns.models import SafeguardingTrack

        check_safeguarding(
            council=council,
            track=SafeguardingTrack.objects.select_related("case").get(pk=object_id),
        )
    else:
        raise ValueError(f"Unknown trigger check {kind!r}")

"""The objects this app's timers watch, named and linked for people (a review to hold or
report on; a location's next review, 003 1.13)."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.extensions import TimelineEntry, TimelineSource, timeline
from core.models import Timer, TimerStatus
from core.timers import TimerSubject, timer_subject
from monitoring.models import Review
from monitoring.pack import review_rules
from providers.models import Location


def _reviews(*, council, ids) -> dict[str, tuple[str, str]]:
    rules = review_rules(council)
    rows = Review.objects.filter(council=council, pk__in=ids).select_related("location")
    return {
        str(r.pk): (f"{rules.label(r.kind)} of {r.location}", reverse("review-detail", args=[r.pk]))
        for r in rows
    }


def _locations(*, council, ids) -> dict[str, tuple[str, str]]:
    rows = Location.objects.filter(pk__in=ids).only("pk", "name")
    return {str(loc.pk): (loc.name, reverse("location-detail", args=[loc.pk])) for loc in rows}


def _timeline(*, council, location, limit: int) -> list[TimelineEntry]:
    """Time limits on the location that were met or passed (the next review within 24 months,
    003 1.13): when, and how."""
    rows = (
        Timer.objects.filter(
            council=council, subject_type="providers.location", subject_id=str(location.pk)
        )
        .filter(Q(status=TimerStatus.MET) | Q(status=TimerStatus.FIRED))
        .only("label", "status", "overdue", "fired_at", "ended_at", "outcome", "due_on")
        .order_by("-due_at")[:limit]
    )
    out = []
    for t in rows:
        when = t.ended_at or t.fired_at
        state = "Met" if t.status == TimerStatus.MET else ("Overdue" if t.overdue else "Passed")
        out.append(
            TimelineEntry(
                on=timezone.localdate(when) if when else t.due_on,
                kind="Time limit",
                title=f"{state}: {t.label}",
                detail=t.outcome,
            )
        )
    return out


def register() -> None:
    timer_subject(TimerSubject("monitoring.review", _reviews))
    timer_subject(TimerSubject("providers.location", _locations))
    timeline.register(TimelineSource("timers", "Time limits", _timeline, order=90))

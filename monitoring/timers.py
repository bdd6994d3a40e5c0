"""The objects this app's timers watch, named and linked for people (a review to hold or
report on; a location's next review, 003 1.13)."""

from django.urls import reverse

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


def register() -> None:
    timer_subject(TimerSubject("monitoring.review", _reviews))
    timer_subject(TimerSubject("providers.location", _locations))

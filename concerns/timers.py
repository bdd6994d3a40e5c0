"""Timer handlers this app keeps (rows in core.Timer, fired by the sweep)."""

from django.urls import reverse

from concerns.models import Case
from concerns.triggers import RI_TIMER, ri_timer_fired
from core.models import Timer
from core.timers import TimerSubject, timer_handler, timer_subject


def _cases(*, council, ids) -> dict[str, tuple[str, str]]:
    rows = Case.objects.filter(council=council, pk__in=ids).select_related("provider", "location")
    return {
        str(c.pk): (f"{c.reference}, {c.subject_label}", reverse("case-detail", args=[c.pk]))
        for c in rows
    }


timer_subject(TimerSubject("concerns.case", _cases))


@timer_handler(RI_TIMER, deadline=False)
def requires_improvement_not_improved(timer: Timer) -> str:
    # 001 App. 2: Provider of Concern "when ... Require Improvements where improvements are
    # not evident or sustained within 12 weeks".
    return ri_timer_fired(timer)


@timer_handler("concerns.deadline")
def deadline_passed(timer: Timer) -> str:
    """A move's time limit passed unmet (003: the 6 months under a Final Warning). It stays
    open, overdue, until what meets it happens or the stage ends."""
    return "overdue"

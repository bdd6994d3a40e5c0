"""The board's time limit on papers (003 Appendix 4 ToR 2: "Papers to be issued to all members
at least a week in advance of the meeting"): a timer on each meeting, met when the papers are
recorded as issued, warning the person who arranged the meeting before, and overdue (they and
their manager told) when the day passes."""

from django.urls import reverse

from boards.models import Action, Meeting
from core.timers import TimerSubject, timer_handler, timer_subject

PAPERS = "boards.papers"
ACTION = "boards.action"


def _meetings(*, council, ids) -> dict[str, tuple[str, str]]:
    rows = Meeting.objects.filter(council=council, pk__in=ids).only("pk", "reference", "meets_on")
    return {
        str(m.pk): (
            f"{m.reference} ({m.meets_on:%-d %B %Y})",
            reverse("meeting-detail", args=[m.pk]),
        )
        for m in rows
    }


@timer_handler(PAPERS, deadline=True)
def papers_not_issued(timer) -> str:
    """The day passed with no papers recorded: the timer is overdue (the sweep tells the
    owner and their manager); nothing else changes."""
    return "The papers were not issued by the day the procedure asks"


def _actions(*, council, ids) -> dict[str, tuple[str, str]]:
    rows = Action.objects.filter(council=council, pk__in=ids).select_related("meeting")
    return {
        str(a.pk): (
            f"{a.meeting.reference} action: {a.what[:80]}",
            reverse("meeting-detail", args=[a.meeting_id]) + f"#action-{a.pk}",
        )
        for a in rows
    }


@timer_handler(ACTION, deadline=True)
def action_not_done(timer) -> str:
    """An action a meeting agreed is not recorded as done by its date: overdue (its owner
    and their manager are told); the next meeting reviews it."""
    return "The action was not recorded as done by its date"


def register() -> None:
    timer_subject(TimerSubject("boards.meeting", _meetings))
    timer_subject(TimerSubject("boards.action", _actions))

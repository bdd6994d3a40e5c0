"""The board decider (issue 12), replacing the decisions app's: a board decides at a meeting of
its own, held, quorate by its attendance (003 Appendix 4 ToR 5: "no decisions may be taken by
the non-quorate meeting of the Board"), with the item on its agenda; virtually only when urgent,
at an urgent meeting held virtually. The decision step records the meeting."""

from __future__ import annotations

from boards.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from decisions.chain import BoardDecider, Waiting
from decisions.registry import policy_of_recommendation


def board_key(rec) -> str:
    """The board whose decision the recommendation waits for: the pack's decision maker whose
    title it names (its key is the board's key in the boards section)."""
    waiting = Waiting.of(rec)
    makers = policy_of_recommendation(rec).decision_makers.values()
    return next((m.key for m in makers if m.title == waiting.post), "")


class BoardMeetingDecider(BoardDecider):
    asks = ("meeting", "virtual")

    def choices(self, name: str, *, rec) -> list[tuple[int, str]]:
        if name != "meeting":
            return []
        held = (
            Meeting.objects.filter(
                council_id=rec.council_id,
                board=board_key(rec),
                status=MeetingStatus.HELD,
                quorate=True,
                pk__in=AgendaItem.objects.filter(recommendation=rec).values("meeting_id"),
            )
            .order_by("-meets_on", "-id")
            .only("pk", "reference", "meets_on", "virtual")[:20]
        )
        return [
            (m.pk, f"{m.reference}, {m.meets_on:%-d %B %Y}" + (" (virtual)" if m.virtual else ""))
            for m in held
        ]

    def check(self, *, rec, urgent, virtual, meeting=None, errors: dict) -> dict | None:
        if virtual and not urgent:
            # 003 ToR 5: "where major issues occurs requiring urgent decisions outside of
            # regular, scheduled meetings, decision-making via virtual meetings"
            errors["urgent"] = ["A Board decision is taken virtually only when it is urgent."]
        if meeting is None:
            errors["meeting"] = ["Choose the meeting of the board that decided."]
            return None
        found = Meeting.objects.filter(
            council_id=rec.council_id, board=board_key(rec), pk=meeting
        ).first()
        if found is None:
            errors["meeting"] = ["Not a meeting of the board that decides this."]
            return None
        if found.status != MeetingStatus.HELD:
            errors["meeting"] = [
                f"{found.reference} has not been held: record its attendance first."
            ]
        elif found.quorate is not True:
            errors["meeting"] = [
                f"{found.reference} was not quorate ("
                + "; ".join(found.quorum_reasons)
                + "): a meeting that is not quorate takes no decisions."
            ]
        elif not AgendaItem.objects.filter(meeting=found, recommendation=rec).exists():
            errors["meeting"] = [f"{rec.reference} was not on the agenda of {found.reference}."]
        elif virtual != (found.virtual and found.kind == MeetingKind.URGENT):
            errors["virtual"] = [
                f"{found.reference} was "
                + ("an urgent virtual meeting" if found.virtual else "not held virtually")
                + "."
            ]
        return {"meeting_on": found.meets_on, "meeting_ref": found.reference}

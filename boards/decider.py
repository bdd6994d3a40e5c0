"""The board decider (issue 12), replacing the decisions app's: a board decides at a meeting of
its own, held, quorate by its attendance (003 Appendix 4 ToR 5: "no decisions may be taken by
the non-quorate meeting of the Board"), with the item on its agenda; virtually only when urgent,
at an urgent meeting held virtually. The decision step records the meeting."""

from __future__ import annotations

from boards.models import AgendaItem, Attendance, Meeting, MeetingKind, MeetingStatus
from boards.pack import Boards
from boards.quorum import Present, quorum_of
from concerns.models import Case
from decisions.chain import BoardDecider, Waiting
from decisions.models import DecisionStep
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
        board = self.board_record(rec=rec, meeting=found, errors=errors)
        return {"meeting_on": found.meets_on, "meeting_ref": found.reference, "board": board}

    @staticmethod
    def board_record(*, rec, meeting: Meeting, errors: dict) -> dict:
        """Who decided (003 Appendix 4 ToR 3 and 5): the members present; those who declared
        an interest, recorded and not counted, so the meeting must be quorate without them;
        those with a part in the case (who proposed it, took a step on it, or lead the case),
        flagged, the others giving independent scrutiny; at a virtual meeting each response."""
        bdef = Boards.of(meeting.council).get(meeting.board)
        present = list(
            Attendance.objects.filter(meeting=meeting, present=True)
            .select_related("member")
            .order_by("member__name")
        )
        involved = {rec.proposed_by_id, *_step_actors(rec), _lead_officer(rec)} - {None}
        counted = [a for a in present if not a.declared_interest]
        if bdef is not None and len(counted) < len(present):
            quorum = quorum_of(
                bdef,
                [Present(member_id=a.member_id, posts=frozenset(a.member.posts)) for a in counted],
            )
            if not quorum.quorate and "meeting" not in errors:
                names = ", ".join(a.member.name for a in present if a.declared_interest)
                errors["meeting"] = [
                    f"Without {names}, who declared an interest, {meeting.reference} is not "
                    "quorate for this decision (" + "; ".join(quorum.reasons) + ")."
                ]
        return {
            "present": [a.member.name for a in present],
            "counted": [a.member.name for a in counted],
            "interests": [
                {"name": a.member.name, "interest": a.declared_interest}
                for a in present
                if a.declared_interest
            ],
            "part_in_case": [a.member.name for a in counted if a.member.user_id in involved],
            "independent": [a.member.name for a in counted if a.member.user_id not in involved],
            "responses": [
                {"name": a.member.name, "response": a.response} for a in present if a.response
            ],
        }


def _step_actors(rec) -> set:
    if rec.pk is None:
        return set()
    return set(DecisionStep.objects.filter(recommendation=rec).values_list("actor_id", flat=True))


def _lead_officer(rec):
    """The case's lead officer, where the recommendation is about a case."""
    if rec.subject_type != "concerns.case":
        return None
    return Case.objects.filter(pk=rec.subject_id).values_list("lead_officer_id", flat=True).first()

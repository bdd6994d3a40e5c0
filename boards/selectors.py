"""Reads of boards and meetings, each taking the council: the pages and the API use them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from boards.models import AgendaItem, Attendance, Meeting, MeetingKind, MeetingStatus, Member
from boards.pack import BoardDef, Boards


def boards(*, council) -> list[BoardDef]:
    return list(Boards.of(council).boards)


def members(*, council, board: str = "") -> QuerySet[Member]:
    qs = Member.objects.filter(council=council)
    return qs.filter(board=board) if board else qs


def meetings(*, council, board: str = "") -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(council=council)
    return qs.filter(board=board) if board else qs


def meeting_detail_queryset(*, council) -> QuerySet[Meeting]:
    return Meeting.objects.filter(council=council).prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.select_related("member")),
        Prefetch("agenda", queryset=AgendaItem.objects.order_by("position", "id")),
    )


@dataclass(frozen=True)
class MemberRecord:
    """A member and their attendance at the board's scheduled meetings held in the last year,
    against what the pack expects (003 Appendix 4 ToR 3: 3 of 4)."""

    member: Member
    held: int
    attended: int
    below: bool

    @property
    def post_labels(self) -> list[str]:
        return self._labels

    _labels: list[str] = field(default_factory=list)


def board_page(*, council, board: BoardDef, today: dt.date) -> dict:
    """Everything the board's page shows, in a fixed number of queries: its members with
    their attendance over the year, its meetings."""
    year_ago = today - dt.timedelta(days=365)
    people = list(
        Member.objects.filter(council=council, board=board.key, left_on__isnull=True).order_by(
            "-chair", "-vice_chair", "name"
        )
    )
    held = list(
        Meeting.objects.filter(
            council=council,
            board=board.key,
            kind=MeetingKind.SCHEDULED,
            status=MeetingStatus.HELD,
            meets_on__gte=year_ago,
            meets_on__lte=today,
        ).values_list("pk", "meets_on")
    )
    present = {
        (mid, member_id)
        for mid, member_id in Attendance.objects.filter(
            meeting_id__in=[pk for pk, _ in held], present=True
        ).values_list("meeting_id", "member_id")
    }
    rows = []
    for m in people:
        since = [pk for pk, on in held if on >= m.joined_on]
        attended = sum((pk, m.pk) in present for pk in since)
        below = False
        if board.attendance and since:
            below = attended * board.attendance.of < len(since) * board.attendance.expected
        rows.append(
            MemberRecord(
                member=m,
                held=len(since),
                attended=attended,
                below=below,
                _labels=[board.post_label(p) for p in m.posts],
            )
        )
    meetings = list(
        Meeting.objects.filter(council=council, board=board.key).order_by("-meets_on", "-id")[:40]
    )
    upcoming = [x for x in meetings if x.status == MeetingStatus.PLANNED and x.meets_on >= today]
    return {
        "members": rows,
        "meetings": meetings,
        "next_meeting": min(upcoming, key=lambda x: x.meets_on) if upcoming else None,
    }

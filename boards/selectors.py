"""Reads of boards and meetings, each taking the council: the pages and the API use them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from boards.models import (
    Action,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
)
from boards.pack import BoardDef, Boards


def seats_of(*, council, user) -> set[str] | None:
    """The boards a person may see: None for all (the council's people, its tokens), else
    the boards they sit on (a partner's seat, issue 12)."""
    if user is None or user.has_perm("boards.view_all", council):
        return None
    return set(
        Member.objects.filter(
            council=council, user=user, user__isnull=False, left_on__isnull=True
        ).values_list("board", flat=True)
    )


def boards(*, council, user=None) -> list[BoardDef]:
    seats = seats_of(council=council, user=user)
    return [b for b in Boards.of(council).boards if seats is None or b.key in seats]


def _seated(qs, *, council, user):
    seats = seats_of(council=council, user=user)
    return qs if seats is None else qs.filter(board__in=seats)


def members(*, council, board: str = "", user=None) -> QuerySet[Member]:
    qs = _seated(Member.objects.filter(council=council), council=council, user=user)
    return qs.filter(board=board) if board else qs


def meetings(*, council, board: str = "", user=None) -> QuerySet[Meeting]:
    qs = _seated(Meeting.objects.filter(council=council), council=council, user=user)
    return qs.filter(board=board) if board else qs


def meeting_detail_queryset(*, council, user=None) -> QuerySet[Meeting]:
    return (
        meetings(council=council, user=user)
        .select_related("provider", "location", "follows", "approved_at")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("member").order_by("member__name"),
            ),
            Prefetch(
                "agenda",
                queryset=AgendaItem.objects.select_related("recommendation").order_by(
                    "position", "id"
                ),
            ),
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner", "item").order_by("due_on", "id"),
            ),
            Prefetch("follow_ups", queryset=Meeting.objects.order_by("meets_on", "id")),
        )
    )


def later_meetings(*, meeting: Meeting) -> list[Meeting]:
    """The meetings of the same board after this one that may approve its record: held and
    quorate (or with no quorum rule)."""
    return list(
        Meeting.objects.filter(
            council_id=meeting.council_id,
            board=meeting.board,
            status=MeetingStatus.HELD,
            meets_on__gte=meeting.meets_on,
        )
        .exclude(pk=meeting.pk)
        .exclude(quorate=False)
        .exclude(meets_on=meeting.meets_on, pk__lt=meeting.pk)
        .order_by("meets_on", "id")[:10]
    )


def my_meetings(*, council, user, today: dt.date) -> dict:
    """A person's meetings (those of the boards they sit on, and those they arranged):
    upcoming and the last three months, with the actions they own that are not done."""
    seats = set(
        Member.objects.filter(council=council, user=user, left_on__isnull=True).values_list(
            "board", flat=True
        )
    )
    qs = Meeting.objects.filter(council=council).filter(Q(board__in=seats) | Q(created_by=user))
    upcoming = list(
        qs.filter(meets_on__gte=today)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("meets_on", "id")[:20]
    )
    recent = list(
        qs.filter(meets_on__lt=today, meets_on__gte=today - dt.timedelta(days=92)).order_by(
            "-meets_on", "-id"
        )[:20]
    )
    actions = list(
        Action.objects.filter(council=council, owner=user, done_on__isnull=True)
        .select_related("meeting")
        .order_by("due_on", "id")[:50]
    )
    names = {b.key: b.name for b in Boards.of(council).boards}
    return {
        "upcoming": upcoming,
        "recent": recent,
        "actions": actions,
        "board_names": names,
        "today": today,
    }


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
        Meeting.objects.filter(council=council, board=board.key)
        .select_related("location", "provider")
        .order_by("-meets_on", "-id")[:40]
    )
    upcoming = [x for x in meetings if x.status == MeetingStatus.PLANNED and x.meets_on >= today]
    actions = list(
        Action.objects.filter(council=council, meeting__board=board.key, done_on__isnull=True)
        .select_related("meeting", "owner")
        .order_by("due_on", "id")[:50]
    )
    unreported = (
        list(
            Meeting.objects.filter(
                council=council,
                board=board.key,
                status=MeetingStatus.HELD,
                reported_on__isnull=True,
            ).order_by("meets_on", "id")[:20]
        )
        if board.reports_to
        else []
    )
    return {
        "members": rows,
        "meetings": meetings,
        "actions": actions,
        "unreported": unreported,
        "today": today,
        "next_meeting": min(upcoming, key=lambda x: x.meets_on) if upcoming else None,
    }

"""Reads of boards and meetings, each taking the council: the pages and the API use them."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from boards.models import AgendaItem, Attendance, Meeting, Member
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

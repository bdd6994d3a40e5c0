"""A board's meeting for tests that need a board's decision: held, quorate by its attendance
(one member in each post the quorum names), with the recommendation on its agenda."""

from __future__ import annotations

import uuid

from django.utils import timezone

from boards.decider import board_key
from boards.models import AgendaItem, Attendance, Meeting, MeetingKind, MeetingStatus, Member
from boards.pack import Boards
from boards.quorum import Present, quorum_of


def decided_at_meeting(rec, *, virtual: bool = False, on=None) -> int:
    """The id of a quorate meeting of the board `rec` waits for, with `rec` on its agenda."""
    council = rec.council
    key = board_key(rec)
    board = Boards.of(council).get(key)
    assert board is not None, f"{council} has no board {key!r} in its pack"
    posts = list(board.quorum.must_include) if board.quorum else []
    needed = max(board.quorum.min_members if board.quorum else 1, len(posts), 1)
    any_post = board.posts[0].key if board.posts else "member"
    on = on or timezone.localdate()
    members = [
        Member.objects.create(
            council=council,
            board=key,
            name=f"Member {n}",
            posts=[posts[n] if n < len(posts) else any_post],
            joined_on=on,
        )
        for n in range(needed)
    ]
    quorum = quorum_of(board, [Present(m.pk, frozenset(m.posts)) for m in members])
    assert quorum.quorate, quorum.reasons
    meeting = Meeting.objects.create(
        council=council,
        board=key,
        reference=f"MTG-T-{uuid.uuid4().hex[:10]}",
        kind=MeetingKind.URGENT if virtual else MeetingKind.SCHEDULED,
        virtual=virtual,
        meets_on=on,
        status=MeetingStatus.HELD,
        quorate=True,
        quorum_reasons=list(quorum.reasons),
    )
    Attendance.objects.bulk_create(
        Attendance(council=council, meeting=meeting, member=m, present=True) for m in members
    )
    AgendaItem.objects.create(
        council=council, meeting=meeting, position=1, title=rec.reference, recommendation=rec
    )
    return meeting.pk

"""The provider's part of a meeting's record as a letter (003 Appendix 1 Table 3, "Template for
QIM Notes and Actions"): a `LetterSource` for the notices app, which writes, issues and sends
it. The facts are the meeting's date, attendees and apologies, the agenda items and the actions
marked for the provider; nothing else of the record leaves the council."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from boards.models import Action, Attendance, Meeting
from boards.pack import Boards
from boards.records import LETTER_SOURCE
from core.audit import audit_record
from core.letters import LetterFacts, LetterSource, letter_source
from core.workdays import in_words


def _pending(*, council) -> list[int]:
    return list(
        Meeting.objects.filter(
            council=council, provider_letter_requested_at__isnull=False, provider_letter=""
        ).values_list("pk", flat=True)
    )


def _facts(*, council, request_id: int) -> LetterFacts | None:
    meeting = (
        Meeting.objects.filter(council=council, pk=request_id, provider__isnull=False)
        .exclude(provider_letter_requested_at=None)
        .first()
    )
    if meeting is None:
        return None
    board = Boards.of(council).get(meeting.board)
    if board is None or not board.provider_letter:
        return None
    attendance = list(
        Attendance.objects.filter(meeting=meeting).select_related("member").order_by("member__name")
    )

    def who(a) -> str:
        about = [board.post_label(p) for p in a.member.posts]
        about += [a.member.organisation] if a.member.organisation else []
        return f"{a.member.name} ({', '.join(about)})" if about else a.member.name

    items = [
        {"title": i.title, "discussion": i.discussion, "outcome": i.outcome}
        for i in meeting.agenda.filter(for_provider=True).order_by("position", "id")
    ]
    actions = [
        {
            "what": a.what,
            "who_improves": a.action_by,
            "who_monitors": a.monitored_by,
            "by_when": in_words(a.due_on),
        }
        for a in Action.objects.filter(meeting=meeting, for_provider=True).order_by("due_on", "id")
    ]
    return LetterFacts(
        letter=board.provider_letter,
        label=f"{board.name} notes and actions, {meeting.reference}",
        seed=board.seed,
        subject=("boards.meeting", str(meeting.pk)),
        facts={
            "meeting": {
                "reference": meeting.reference,
                "name": board.name,
                "date": in_words(meeting.meets_on),
                "attendees": [who(a) for a in attendance if a.present],
                "apologies": [who(a) for a in attendance if a.apologies],
                "items": items,
            },
            "plan": {"actions": actions},
        },
        provider_id=meeting.provider_id,
        location_id=meeting.location_id,
        requested_on=timezone.localdate(meeting.provider_letter_requested_at),
    )


def _issued(*, council, request_id: int, reference: str, on: dt.date, how: str) -> None:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(council=council, pk=request_id).first()
        if meeting is None or meeting.provider_letter:
            return  # sent once
        meeting.provider_letter = reference[:60]
        meeting.save(update_fields=["provider_letter"])
        audit_record(
            council=council,
            actor=None,
            action="board.provider_notes_sent",
            summary=f"{meeting.reference}: notes and actions sent to the provider as {reference}",
            obj=meeting,
            reason=how,
        )


SOURCE = letter_source(
    LetterSource(name=LETTER_SOURCE, pending=_pending, facts=_facts, issued=_issued)
)

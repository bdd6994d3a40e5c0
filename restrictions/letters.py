"""The letters a restriction's decisions ask for (the pack's `tell` entries with a `letter`:
004 19.1 the decision with reasons and the right of appeal, 20.6 lifted, 19.2 the appeal's
outcome; 001 App. 3 sanctions): a `LetterSource` for the notices app. When the letter is
issued and sent, the notice is recorded as sent, which meets the time limit to tell the
provider and opens its time to appeal (004 19.2)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.letters import LetterFacts, LetterSource, letter_source
from core.workdays import in_words
from restrictions.models import AppealStatus, Notice, NoticeStatus
from restrictions.pack import Restrictions
from restrictions.services.notices import notice_sent

NAME = "restrictions.notice"

WHEN = {
    "imposed": "put in place",
    "changed": "changed",
    "lifted": "lifted",
    "appeal_decided": "the appeal decided",
}


def _pending(*, council) -> list[int]:
    return list(
        Notice.objects.filter(council=council, status=NoticeStatus.REQUESTED)
        .exclude(letter="")
        .values_list("pk", flat=True)
    )


def _facts(*, council, request_id: int) -> LetterFacts | None:
    notice = (
        Notice.objects.filter(council=council, pk=request_id)
        .exclude(letter="")
        .select_related("restriction__provider", "restriction__location", "event", "appeal")
        .first()
    )
    if notice is None:
        return None
    r = notice.restriction
    pack = Restrictions.of(council)
    level = pack.level(r.level)
    event = notice.event
    previous = pack.level(event.from_level) if event is not None and event.from_level else None
    facts: dict = {
        "when": notice.when,
        "when_words": WHEN.get(notice.when, notice.when),
        "restriction": {
            "reference": r.reference,
            "level": level.label,
            "placing": level.placing,
            "previous_level": previous.label if previous else "",
            "scope": r.subject_label,
            "whole_provider": r.location_id is None,
            "reasons": r.reasons,
            "exceptions": r.exceptions,
            "review_on": in_words(r.review_on),
            "hold_until": in_words(r.hold_until),
            "decided_on": in_words(r.decided_on),
            "decided_by": r.decided_by_label,
            "since": in_words(r.level_since),
            "ended_on": in_words(r.ended_on),
            "reason_for_change": event.reason if event is not None else "",
            "on": in_words(event.on) if event is not None else "",
            "contact": {"name": r.contact_name, "phone": r.contact_phone, "email": r.contact_email},
        },
        "appeal": {},
        "appeal_outcome": {},
    }
    if pack.appeals is not None:
        window = pack.policy.time_limit(pack.appeals.window)
        decider = pack.policy.decision_makers.get(pack.appeals.decided_by)
        facts["appeal"] = {
            "window": window.in_words,
            "to": decider.title if decider else "",
            "seed": pack.appeals.seed,
        }
    if notice.appeal is not None:
        a = notice.appeal
        facts["appeal_outcome"] = {
            "reference": a.reference,
            "received_on": in_words(a.received_on),
            "upheld": a.status == AppealStatus.UPHELD,
            "status": a.get_status_display(),
            "outcome": a.outcome,
            "decided_on": in_words(a.decided_on),
        }
    return LetterFacts(
        letter=notice.letter,
        label=notice.label,
        seed=notice.seed,
        subject=("restrictions.restriction", str(r.pk)),
        facts=facts,
        provider_id=r.provider_id,
        location_id=r.location_id,
        case_id=r.case_id,
        requested_on=timezone.localdate(notice.requested_at),
    )


def _issued(*, council, request_id: int, reference: str, on: dt.date, how: str) -> None:
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("restriction__council", "event")
            .filter(council=council, pk=request_id)
            .first()
        )
        if notice is None or notice.status == NoticeStatus.SENT:
            return  # told once
        notice_sent(notice=notice, sent_on=on, how=f"letter {reference}, {how}"[:300], by="Letters")


SOURCE = letter_source(LetterSource(name=NAME, pending=_pending, facts=_facts, issued=_issued))

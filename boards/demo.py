"""The boards part of the demo: Somerset's Commissioning & Quality Board with members by post
(the demo's decision maker and manager, and its CCG partners), a quorate meeting held last month
and one held this week that was not quorate (notes only), and the next meeting arranged with
whatever waits for the Board's decision on its agenda; Bradford's monthly serious concerns
meeting with its members; a Quality Improvement Meeting held with a provider, its notes and
actions (some for the provider); Bedford's Serious Concerns meeting, called by a manager, with
its action plan and its follow-up arranged. Somerset's CCG member signs in as the demo's
external member and sees the Board's papers only."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from boards.decider import board_key
from boards.models import Meeting, Member
from boards.pack import Boards
from boards.records import action_add, minutes_write, provider_notes_send
from boards.services import agenda_refer, attendance_record, meeting_schedule, member_add
from concerns.models import Case
from councils.demo import demo_councils
from councils.models import User
from decisions.models import Recommendation, Status

SOMERSET_MEMBERS = [
    ("Dr Ann Hale", "Somerset CCG", ["ccg_safeguarding_commissioning", "deputy_director_quality"]),
    ("Raj Patel", "Somerset County Council", ["la_quality_performance_manager"]),
    ("Li Chen", "Somerset County Council", ["la_strategic_commissioner"]),
    ("Sam Jones", "Somerset CCG", ["safeguarding_lead_nurse"]),
    ("Jo Brown", "Somerset County Council", ["business_support"]),
]


def load(echo, **options) -> None:
    today = timezone.localdate()
    for council in demo_councils():
        boards = Boards.of(council)
        with transaction.atomic(), scope(council=council):
            if Member.objects.filter(council=council).exists():
                continue
            manager = User.objects.filter(username=f"{council.code}-manager").first()
            officer = User.objects.filter(username=f"{council.code}-officer").first()
            if manager is None or officer is None:
                continue
            _serious_concerns(council, boards, manager, officer, today, echo)
            _qim(council, boards, manager, officer, today, echo)
            board = boards.get("commissioning_quality_board")
            if board is None:
                continue
            external = User.objects.filter(username=f"{council.code}-external-member").first()
            joined = today - dt.timedelta(days=400)
            members = [
                member_add(
                    council=council,
                    actor=manager,
                    board=board.key,
                    name=name,
                    organisation=org,
                    posts=posts,
                    joined_on=joined,
                    chair=(n == 0),
                    vice_chair=(n == 1),
                    user=external if n == 0 else (manager if n == 1 else None),
                )  # fmt: skip
                for n, (name, org, posts) in enumerate(SOMERSET_MEMBERS)
            ]
            held = meeting_schedule(
                council=council, actor=officer, board=board.key,
                meets_on=today - dt.timedelta(days=30),
            )  # fmt: skip
            attendance_record(
                meeting=held, actor=officer, present=[m.pk for m in members[:4]],
                apologies=[members[4].pk],
            )  # fmt: skip
            items = list(held.agenda.all()[:2])
            minutes_write(
                meeting=held,
                actor=officer,
                items={
                    items[0].pk: {
                        "discussion": "Two providers of concern reviewed; one improving.",
                        "outcome": "Keep both under the Quality Improvement process.",
                    },
                    items[1].pk: {"discussion": "Market update from the commissioners."},
                },
            )
            action_add(
                meeting=held, actor=officer, what="Bring the CQC inspection dates to the Board",
                action_by="Quality & Performance", owner=officer,
                due_on=today + dt.timedelta(days=5), item=items[0].pk,
            )  # fmt: skip
            thin = meeting_schedule(
                council=council, actor=officer, board=board.key,
                meets_on=today - dt.timedelta(days=2),
            )  # fmt: skip
            attendance_record(
                meeting=thin, actor=officer, present=[members[0].pk, members[2].pk],
                apologies=[members[1].pk],
            )  # fmt: skip
            nxt = meeting_schedule(
                council=council, actor=officer, board=board.key,
                meets_on=today + dt.timedelta(days=9),
            )  # fmt: skip
            waiting = Recommendation.objects.filter(
                council=council, status=Status.PENDING, awaiting_decider="board"
            )
            for rec in waiting:
                if board_key(rec) == board.key:
                    agenda_refer(meeting=nxt, actor=officer, recommendation=rec)
            echo(
                f"{council}: the {board.name}: {len(members)} members, meetings "
                f"{held.reference} (quorate), {thin.reference} (not quorate), {nxt.reference} "
                f"(next, {Meeting.objects.get(pk=nxt.pk).agenda.count()} items)"
            )


def _location(council):
    case = Case.objects.filter(council=council).select_related("location").first()
    return case.location if case is not None and case.location_id else None


def _qim(council, boards, manager, officer, today, echo) -> None:
    """A QIM held last week with the provider, its notes and actions, some for the provider
    (003 Appendix 1 Tables 2 and 3)."""
    qim = boards.get("quality_improvement_meeting")
    location = _location(council)
    if qim is None or location is None:
        return
    seated = [
        member_add(
            council=council,
            actor=manager,
            board=qim.key,
            name=name,
            posts=posts,
            organisation=org,
            joined_on=today - dt.timedelta(days=200),
            chair=chair,
            user=officer if chair else None,
        )  # fmt: skip
        for name, org, posts, chair in [
            ("Claire Mason", "Somerset County Council", ["quality_assurance_chair"], True),
            ("Dr Ann Hale", "Somerset CCG", ["sccg_representative"], False),
        ]
        if qim.post(posts[0]) is not None
    ]
    meeting = meeting_schedule(
        council=council, actor=officer, board=qim.key, meets_on=today - dt.timedelta(days=6),
        location=location,
    )  # fmt: skip
    attendance_record(meeting=meeting, actor=officer, present=[m.pk for m in seated])
    items = list(meeting.agenda.all())
    minutes_write(
        meeting=meeting,
        actor=officer,
        items={
            items[1].pk: {
                "discussion": "Medicines errors in two of the last three audits.",
                "outcome": "The provider will retrain night staff.",
                "for_provider": True,
            },
            items[2].pk: {
                "discussion": "The CQC report of last month rated Safe as Requires improvement.",
                "for_provider": True,
            },
        },
    )
    action_add(
        meeting=meeting, actor=officer, what="Retrain night staff in medicines administration",
        action_by="Registered Manager", monitored_by="Quality Assurance Officer",
        due_on=today + dt.timedelta(days=28), for_provider=True, owner=officer,
    )  # fmt: skip
    provider_notes_send(meeting=meeting, actor=officer)
    echo(f"{council}: the {qim.name} {meeting.reference} about {location.name}")


def _serious_concerns(council, boards, manager, officer, today, echo) -> None:
    """Called by a delegated manager (001 Appendix 3), with its action plan and the follow-up
    conference arranged; not yet reported to the Safeguarding Adults Board."""
    sc = boards.get("serious_concerns_meeting")
    location = _location(council)
    if sc is None or location is None or not sc.may_call_roles:
        return
    members = [
        member_add(
            council=council,
            actor=manager,
            board=sc.key,
            name=name,
            organisation=org,
            posts=posts,
            joined_on=today - dt.timedelta(days=200),
            chair=chair,
            user=manager if chair else None,
        )  # fmt: skip
        for name, org, posts, chair in [
            ("Pat Khan", "", ["local_authority"], True),
            ("Dee Moss", "", ["safeguarding_adults_manager"], False),
            ("DS Hart", "", ["police"], False),
        ]
    ]
    meeting = meeting_schedule(
        council=council, actor=manager, board=sc.key, meets_on=today - dt.timedelta(days=3),
        location=location,
    )  # fmt: skip
    attendance_record(meeting=meeting, actor=officer, present=[m.pk for m in members])
    action_add(
        meeting=meeting, actor=officer, what="Review the care plans of every resident",
        action_by="The provider's registered manager", monitored_by="Care Standards",
        due_on=today + dt.timedelta(days=14), owner=officer,
    )  # fmt: skip
    meeting_schedule(
        council=council, actor=manager, board=sc.key, meets_on=today + dt.timedelta(days=25),
        follows=meeting,
    )  # fmt: skip
    echo(f"{council}: the {sc.name} {meeting.reference} about {location.name}")

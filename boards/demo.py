"""The boards part of the demo: Somerset's Commissioning & Quality Board with members by post
(the demo's decision maker and manager, and its CCG partners), a quorate meeting held last month
and one held this week that was not quorate (notes only), and the next meeting arranged with
whatever waits for the Board's decision on its agenda; Bradford's monthly serious concerns
meeting with its members."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from boards.decider import board_key
from boards.models import Meeting, Member
from boards.pack import Boards
from boards.services import agenda_refer, attendance_record, meeting_schedule, member_add
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
            board = boards.get("commissioning_quality_board")
            if board is None:
                continue
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

"""Run against commit d7990b7 (see README.md), after its `demo_load`, not against the current
code: takes every waiting recommendation through its chain (forwarded, then approved or not),
makes the moves that follow, asks for two Bromley exceptions and withdraws one, so that the
fixture holds decision steps, approvals, refusals and case deadlines."""

import datetime as dt

import django

django.setup()

from django.db.models import Count  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from concerns.ladder import Ladder  # noqa: E402
from concerns.models import (  # noqa: E402
    Case,
    CaseDeadline,
    CaseMove,
    DecisionStep,
    LetterRequest,
    Recommendation,
)
from concerns.rules import MoveAttempt  # noqa: E402
from concerns.services import (  # noqa: E402
    approval_of,
    case_move,
    exception_propose,
    ladder_of,
    recommendation_act,
    recommendation_withdraw,
    step_blockers,
)
from councils.models import Council, Membership, User  # noqa: E402
from monitoring.models import Commissioning  # noqa: E402

TODAY = dt.date.today()


def answer(field):
    if field.type == "choice":
        return field.choices[0]
    if field.type == "boolean":
        return True
    if field.type == "date":
        return TODAY.isoformat()
    return "Enrich answer"


def users_of(council):
    return [m.user for m in Membership.objects.filter(council=council).select_related("user")]


def take_steps() -> int:
    acted = 0
    with scopes_disabled():
        pending = list(Recommendation.objects.filter(status="pending").select_related("council"))
    for rec in pending:
        with scope(council=rec.council):
            rec = Recommendation.objects.get(pk=rec.pk)
            ladder = ladder_of(rec)
            approval = approval_of(rec, ladder)
            deciding = rec.step >= len(approval.chain)
            board = deciding and ladder.maker_is_board(approval.decided_by)
            for user in users_of(rec.council):
                if step_blockers(recommendation=rec, user=user, ladder=ladder):
                    continue
                outcome = ("approved" if rec.pk % 3 else "rejected") if deciding else "forwarded"
                recommendation_act(
                    recommendation=rec,
                    actor=user,
                    outcome=outcome,
                    reasons=f"Enrich: {outcome} by {user.username}",
                    stipulation="Reconsider after the next inspection"
                    if outcome == "rejected"
                    else "",
                    meeting_on=TODAY - dt.timedelta(days=1) if board else None,
                    quorate=True if board else None,
                )
                acted += 1
                break
    return acted


def move_up(councils) -> int:
    moved = 0
    for council in councils:
        with scope(council=council):
            ladder = Ladder.of(council)
            for case in Case.objects.filter(council=council).exclude(stage="closed")[:3]:
                if Recommendation.objects.filter(case=case, status="pending").exists():
                    continue
                move = next(iter(ladder.moves_from(case.stage)), None)
                user = next(
                    (
                        u
                        for u in users_of(council)
                        if move and u.has_perm("concerns.make_this_move", MoveAttempt(case, move))
                    ),
                    None,
                )
                if user is None:
                    continue
                case_move(
                    case=case,
                    actor=user,
                    move=move.key,
                    reason=f"Enrich move {move.key}",
                    evidence=[{"kind": k, "note": "Enrich evidence"} for k in move.evidence],
                    details={f.key: answer(f) for f in move.fields if f.required},
                )
                moved += 1
    return moved


def exceptions() -> None:
    with scopes_disabled():
        bromley = Council.objects.get(code="bromley")
    with scope(council=bromley):
        ladder = Ladder.of(bromley)
        placer = User.objects.get(username="bromley-placement-staff")
        officer = User.objects.get(username="bromley-officer")
        location = Commissioning.objects.filter(council=bromley).first().location
        for x in ladder.exceptions[:2]:
            exception_propose(
                council=bromley,
                actor=placer if "placement_staff" in x.by else officer,
                exception=x.key,
                location=location,
                reason="Enrich exception",
                details={f.key: answer(f) for f in x.fields if f.required},
            )
        rec = Recommendation.objects.filter(status="pending", kind="exception").last()
        recommendation_withdraw(
            recommendation=rec, actor=rec.proposed_by, reason="Enrich: family chose another home"
        )


with scopes_disabled():
    COUNCILS = list(Council.objects.all())
for _ in range(12):
    if not take_steps() + move_up(COUNCILS):
        break
exceptions()
with scopes_disabled():
    print(Recommendation.objects.values_list("status").annotate(n=Count("id")).order_by())
    print(
        "steps",
        DecisionStep.objects.count(),
        "deadlines",
        CaseDeadline.objects.count(),
        "moves",
        CaseMove.objects.count(),
        "letters",
        LetterRequest.objects.count(),
    )

"""Moves and decisions racing each other on PostgreSQL: the case row is locked (SELECT ... FOR
UPDATE) and the FSM save is guarded, so of two people acting at the same moment exactly one
succeeds, the other gets a Conflict, and nothing of the losing move is left behind.

Each race runs a few times with the threads released together by a barrier. Every thread
opens its own connection and closes it at the end; thread bodies run with scopes disabled
(the autouse fixture disables them only in the main thread)."""

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_scopes import scopes_disabled

from concerns.models import Case, CaseMove, LetterRequest, Stage
from concerns.services import case_move, case_open
from core.errors import Conflict
from core.models import AuditEntry
from councils.models import Role, User
from decisions.models import DecisionStep, Recommendation
from decisions.services import recommendation_act
from tests.boards.helpers import decided_at_meeting
from tests.deadlines import deadlines
from tests.factories import LocationFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

ITERATIONS = 5
EVIDENCE = [
    {"kind": "meeting_notes", "note": "QIM 3 notes"},
    {"kind": "board_decision", "note": "Board of 1 May"},
]


def race(*prepares: Callable[[], Callable[[], object]]) -> list[tuple[str, object]]:
    """Run each body in its own thread and connection, released together. A prepare loads
    what its thread needs (its own rows) and returns the call to race; each result is
    ("ok", value) or ("error", exception)."""
    barrier = threading.Barrier(len(prepares))
    results: list[tuple[str, object] | None] = [None] * len(prepares)

    def run(i, prepare):
        try:
            with scopes_disabled():
                connections["default"].ensure_connection()
                call = prepare()
                barrier.wait(timeout=10)
                results[i] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the race's loser is what we look at
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(prepares)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return results


def one_winner(results) -> tuple[int, object]:
    """Exactly one body succeeded and every other got a Conflict; (winner's index, value)."""
    winners = [(i, value) for i, (kind, value) in enumerate(results) if kind == "ok"]
    losers = [value for kind, value in results if kind == "error"]
    assert len(winners) == 1, results
    assert all(isinstance(exc, Conflict) for exc in losers), losers
    return winners[0]


def moving(case_pk: int, user_pk: int, move: str, **kwargs):
    def prepare():
        case = Case.objects.get(pk=case_pk)
        actor = User.objects.get(pk=user_pk)
        return lambda: case_move(case=case, actor=actor, move=move, reason="Race", **kwargs)

    return prepare


def deciding(rec_pk: int, user_pk: int):
    def prepare():
        rec = Recommendation.objects.get(pk=rec_pk)
        actor = User.objects.get(pk=user_pk)
        return lambda: recommendation_act(
            recommendation=rec,
            actor=actor,
            outcome="approved",
            reasons="Agreed by the quorate Board",
            meeting=decided_at_meeting(rec, on=timezone.localdate() - dt.timedelta(days=1)),
        )

    return prepare


@pytest.fixture
def somerset(load_pack, member):
    council = load_pack("somerset")
    return {
        "council": council,
        "officer": member(council, Role.OFFICER),
        "manager": member(council, Role.MANAGER),
        "board": member(council, Role.DECISION_MAKER, title="Strategic Commissioning Manager"),
        "board2": member(council, Role.DECISION_MAKER, title="Strategic Manager"),
    }


def new_case(sm) -> Case:
    return case_open(
        council=sm["council"], actor=None, summary="Concerns", location=LocationFactory()
    )


def moved(case) -> list[CaseMove]:
    return list(CaseMove.objects.filter(case=case))


def audit_moves(case) -> int:
    return AuditEntry.objects.filter(
        action="case.moved", object_type="concerns.case", object_id=str(case.pk)
    ).count()


@pytest.mark.parametrize("iteration", range(ITERATIONS))
def test_the_same_move_twice_at_once(iteration, somerset):
    """(a) Two officers invoke Quality Improvement on the same informal case together."""
    case = new_case(somerset)
    results = race(
        moving(case.pk, somerset["officer"].pk, "invoke_quality_improvement"),
        moving(case.pk, somerset["manager"].pk, "invoke_quality_improvement"),
    )
    _, made = one_winner(results)
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    assert [m.pk for m in moved(case)] == [made.pk]
    assert audit_moves(case) == 1
    assert LetterRequest.objects.filter(case=case).count() == 3  # 003 Tables 1, 2 and the QIN
    assert set(LetterRequest.objects.filter(case=case).values_list("move_id", flat=True)) == {
        made.pk
    }


@pytest.mark.parametrize("iteration", range(ITERATIONS))
def test_two_different_moves_from_the_same_stage_at_once(iteration, somerset):
    """(b) One invokes Quality Improvement (three letters), the other closes the informal case
    (none): whichever wins, the case, its one move, the audit log and the letters agree."""
    case = new_case(somerset)
    results = race(
        moving(case.pk, somerset["officer"].pk, "invoke_quality_improvement"),
        moving(case.pk, somerset["manager"].pk, "close_informal"),
    )
    winner, made = one_winner(results)
    case.refresh_from_db()
    assert [m.pk for m in moved(case)] == [made.pk]
    assert audit_moves(case) == 1
    letters = LetterRequest.objects.filter(case=case)
    if winner == 0:
        assert (made.move_key, case.stage) == ("invoke_quality_improvement", Stage.FORMAL)
        assert letters.count() == 3
        assert case.closed_at is None
    else:
        assert (made.move_key, case.stage) == ("close_informal", Stage.CLOSED)
        assert letters.count() == 0
        assert case.closed_at is not None
    # Nothing left behind by the losing move.
    assert not letters.exclude(move=made).exists()
    assert not deadlines(case=case).exclude(payload__move=made.pk).exists()


@pytest.mark.parametrize("iteration", range(ITERATIONS))
def test_two_decision_makers_approve_the_same_recommendation_at_once(iteration, somerset):
    """(c) Two of the Board's decision makers approve the same Rectification Notice."""
    case = new_case(somerset)
    case_move(case=case, actor=somerset["officer"], move="invoke_quality_improvement", reason="RI")
    rec = case_move(
        case=case,
        actor=somerset["officer"],
        move="issue_rectification_notice",
        reason="Not improving",
        evidence=EVIDENCE,
    )
    results = race(
        deciding(rec.pk, somerset["board"].pk),
        deciding(rec.pk, somerset["board2"].pk),
    )
    one_winner(results)
    rec.refresh_from_db()
    case.refresh_from_db()
    assert rec.status == "approved"
    assert DecisionStep.objects.filter(recommendation=rec).count() == 1
    assert case.stage == Stage.RECTIFICATION
    made = CaseMove.objects.get(case=case, recommendation=rec)
    assert made.move_key == "issue_rectification_notice"
    assert audit_moves(case) == 2  # invoke, then the approved move
    assert AuditEntry.objects.filter(action="recommendation.approved").count() == 1
    assert deadlines(case=case).count() == 1
    assert LetterRequest.objects.filter(case=case, letter="rectification_notice").count() == 1


@pytest.mark.parametrize("iteration", range(ITERATIONS))
def test_a_move_racing_a_decision(iteration, somerset):
    """A manager steps the case down while the Board approves a Rectification Notice on it.
    A case does not move while a recommendation waits, so the decision always wins: the
    step down is a Conflict whether it takes the lock first (the recommendation waits) or
    second (the case is no longer at the formal stage)."""
    case = new_case(somerset)
    case_move(case=case, actor=somerset["officer"], move="invoke_quality_improvement", reason="RI")
    rec = case_move(
        case=case,
        actor=somerset["officer"],
        move="issue_rectification_notice",
        reason="Not improving",
        evidence=EVIDENCE,
    )
    results = race(
        deciding(rec.pk, somerset["board"].pk),
        moving(case.pk, somerset["manager"].pk, "formal_to_informal"),
    )
    winner, _ = one_winner(results)
    assert winner == 0, results
    rec.refresh_from_db()
    case.refresh_from_db()
    assert (case.stage, rec.status) == (Stage.RECTIFICATION, "approved")
    assert DecisionStep.objects.filter(recommendation=rec).count() == 1
    assert audit_moves(case) == 2  # invoke, then the approved move; no step down
    assert not CaseMove.objects.filter(case=case, move_key="formal_to_informal").exists()


@pytest.mark.parametrize("iteration", range(ITERATIONS))
def test_two_cases_opened_for_the_same_location_at_once(iteration, somerset):
    """One open case per location, and references never repeat, under concurrency too."""
    location = LocationFactory()

    def opening(user_pk):
        def prepare():
            actor = User.objects.get(pk=user_pk)
            return lambda: case_open(
                council=somerset["council"], actor=actor, summary="Concerns", location=location
            )

        return prepare

    results = race(opening(somerset["officer"].pk), opening(somerset["manager"].pk))
    _, case = one_winner(results)
    assert list(Case.objects.filter(location=location).values_list("pk", flat=True)) == [case.pk]
    assert AuditEntry.objects.filter(action="case.opened").count() == 1

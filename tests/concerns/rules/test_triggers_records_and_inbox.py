"""Escalation rules: triggers raised once, append-only records, the decision maker's inbox."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concerns.models import Alert, Case, CaseMove
from concerns.pack import Ladder
from concerns.services import alert_raise, case_move, case_open
from concerns.triggers import check_rating
from core.models import AuditEntry
from councils.models import Council, Membership, Role, User
from councils.services import delegation_create
from decisions.models import DecisionStep, Recommendation, Status, StepOutcome
from decisions.selectors import blockers, inbox, waited_days
from decisions.services import recommendation_withdraw
from monitoring.services import plan_create, plan_review_record
from tests.concerns.rules.helpers import (
    BOARD_EVIDENCE,
    _act,
    _propose_rectification,
    _termination,
    today,
)
from tests.factories import LocationFactory, RatingFactory

pytestmark = pytest.mark.django_db


# --- triggers raise once per cause -----------------------------------------------------------


def test_alert_raise_twice_for_the_same_cause_raises_once(west_berkshire):
    """004 16.2: "A Provider is rated as inadequate in the ‘safe’ domain by the CQC"."""
    council = west_berkshire.council
    trigger = next(t for t in Ladder.of(council).triggers if t.key == "inadequate_safe")
    location = LocationFactory()
    kwargs = dict(
        council=council,
        trigger=trigger,
        cause="rating:42",
        detail="Safe inadequate",
        location=location,
        provider=location.provider,
    )
    first = alert_raise(**kwargs)
    assert first is not None and first.suggestion.startswith("Recommend an Embargo")
    assert alert_raise(**kwargs) is None
    assert Alert.objects.filter(council=council).count() == 1
    assert AuditEntry.objects.filter(council=council, action="alert.raised").count() == 1


def test_check_rating_twice_raises_once(load_pack, west_berkshire):
    """003 Key principles 1 opens one case; 004 16.2 and 16.3 queue one alert per rule."""
    somerset = load_pack("somerset")
    location = LocationFactory()
    rating = RatingFactory(
        location=location,
        overall="Inadequate",
        safe="Inadequate",
        effective="Inadequate",
        well_led="Inadequate",
    )
    assert len(check_rating(council=somerset, rating=rating)) == 1
    assert check_rating(council=somerset, rating=rating) == []
    assert Alert.objects.filter(council=somerset).count() == 1
    assert CaseMove.objects.filter(council=somerset).count() == 1

    wb = west_berkshire.council
    raised = check_rating(council=wb, rating=rating)
    # 004 16.2: Inadequate in Safe, and in three or more domains (an Embargo); 004 16.3: "A
    # Provider has 3 or more ‘requires improvement’ or one or more ‘inadequate’ ratings from
    # the CQC" (Place with Caution) holds too, and is raised once like the others.
    assert sorted(a.trigger for a in raised) == [
        "inadequate_in_three_or_more",
        "inadequate_safe",
        "ri_or_inadequate_ratings",
    ]
    assert check_rating(council=wb, rating=rating) == []
    assert Alert.objects.filter(council=wb).count() == 3
    assert not Case.objects.filter(council=wb).exists()  # queued, not opened


def test_a_failing_improvement_plan_queues_an_alert_once(
    west_berkshire, django_capture_on_commit_callbacks
):
    """004 16.2: "The Provider has failed to meet the majority of the requirements of an
    Improvement plan on more than 3 reviews"."""
    wb = west_berkshire
    start = today() - dt.timedelta(days=100)
    location = LocationFactory(local_authority="West Berkshire")
    plan = plan_create(
        council=wb.council,
        location=location,
        actor=wb.cqo,
        title="Falls and medicines",
        started_on=start,
        actions=[
            {
                "what": what,
                "provider_lead": "Registered manager",
                "council_monitor": wb.cqo,
                "due_on": start + dt.timedelta(days=30),
            }
            for what in ("Falls audits", "MAR charts", "Night staffing")
        ],
    )
    alerts = []
    for n in range(1, 6):
        with django_capture_on_commit_callbacks(execute=True):
            plan_review_record(
                plan=plan,
                actor=wb.cqo,
                reviewed_on=start + dt.timedelta(days=10 * n),
                results={a.pk: False for a in plan.actions.all()},
            )
        alerts.append(Alert.objects.filter(council=wb.council).count())
    plan.refresh_from_db()
    assert plan.failed_reviews == 5
    assert alerts == [0, 0, 0, 1, 1]
    alert = Alert.objects.get(council=wb.council)
    assert (alert.trigger, alert.cause) == ("improvement_plan_failing", f"plan:{plan.pk}")
    assert alert.status == "new" and alert.case is None
    assert alert.suggestion == "Recommend an Embargo to the Head of Commissioning"


# --- records are append-only -----------------------------------------------------------------


def _a_move_and_a_step(somerset):
    record = case_move(
        case=somerset.case,
        actor=somerset.officer,
        move="invoke_quality_improvement",
        reason="RI",
    )
    rec = _propose_rectification(somerset)
    recommendation_withdraw(recommendation=rec, actor=somerset.officer, reason="Not yet")
    return record, DecisionStep.objects.get(recommendation=rec)


def test_case_moves_and_decision_steps_cannot_change_or_be_deleted(somerset):
    record, step = _a_move_and_a_step(somerset)
    record.reason = "Forged"
    step.reasons = "Forged"
    for row in (record, step):
        with pytest.raises(PermissionError):
            row.save()
        with pytest.raises(PermissionError):
            row.delete()
    assert CaseMove.objects.get(pk=record.pk).reason == "RI"
    assert DecisionStep.objects.get(pk=step.pk).reasons == "Not yet"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_raw_changes_to_moves_and_steps(somerset):
    record, step = _a_move_and_a_step(somerset)
    for table, pk, column in (
        ("concerns_casemove", record.pk, "reason"),
        ("decisions_decisionstep", step.pk, "reasons"),
    ):
        for sql in (
            f"UPDATE {table} SET {column} = 'forged' WHERE id = %s",
            f"DELETE FROM {table} WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="is a record"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [pk])
    assert CaseMove.objects.get(pk=record.pk).reason == "RI"
    assert DecisionStep.objects.get(pk=step.pk).reasons == "Not yet"


# --- the decision maker's inbox --------------------------------------------------------------


def test_the_inbox_lists_for_the_right_person_oldest_first(west_berkshire, load_pack, member):
    """004 18: each recommendation waits for the SRM, then the SM, then the Head of
    Commissioning (or the Head of Adult Social Care standing in: 004 21.3)."""
    wb = west_berkshire
    # The SM also sits on Somerset's Board: Somerset's recommendations stay in Somerset.
    somerset = load_pack("somerset")
    member(somerset, Role.DECISION_MAKER, user=wb.sm)
    s_officer = member(somerset, Role.OFFICER)
    s_case = case_open(council=somerset, actor=s_officer, summary="x", location=LocationFactory())
    case_move(case=s_case, actor=s_officer, move="invoke_quality_improvement", reason="RI")
    s_rec = case_move(
        case=s_case,
        actor=s_officer,
        move="issue_rectification_notice",
        reason="x",
        evidence=BOARD_EVIDENCE,
    )
    assert [r.pk for r in inbox(council=somerset, user=wb.sm)] == [s_rec.pk]
    hasc = member(wb.council, Role.DECISION_MAKER, title="Head of Adult Social Care")
    lapsed = member(wb.council, Role.OFFICER, title="Former stand-in")
    delegator = Membership.objects.get(user=wb.hoc, council=wb.council, role=Role.DECISION_MAKER)
    for delegate, starts, ends in ((hasc, -1, 1), (lapsed, -9, -1)):
        delegation_create(
            council=wb.council,
            delegator=delegator,
            delegate=delegate,
            starts_on=today() + dt.timedelta(days=starts),
            ends_on=today() + dt.timedelta(days=ends),
            actor=wb.hoc,
        )
    at_srm = _termination(wb)
    at_sm = _termination(wb)
    _act(at_sm, wb.srm, StepOutcome.FORWARDED)
    at_hoc = _termination(wb)
    _act(at_hoc, wb.srm, StepOutcome.FORWARDED)
    _act(at_hoc, wb.sm, StepOutcome.FORWARDED)
    at_srm_too = _termination(wb)
    now = timezone.now()
    for rec, days in ((at_srm, 1), (at_sm, 5), (at_hoc, 2), (at_srm_too, 3)):
        Recommendation.objects.filter(pk=rec.pk).update(waiting_since=now - dt.timedelta(days=days))

    def listed(user):
        return [r.pk for r in inbox(council=wb.council, user=user)]

    assert listed(wb.srm) == [at_srm_too.pk, at_srm.pk]
    assert listed(wb.sm) == [at_sm.pk]  # 004 18.1-18.3: each post takes its own step
    assert listed(wb.hoc) == [at_hoc.pk]
    assert listed(hasc) == [at_hoc.pk]
    for nobody in (wb.cqo, wb.other_officer, wb.untitled, lapsed):
        assert listed(nobody) == []
    items = inbox(council=wb.council, user=wb.sm)
    assert items[0].awaiting_label == (
        "SM recommends termination to the Head of Commissioning in writing"
    )
    assert waited_days(items[0]) == 5
    assert inbox(council=wb.council, user=wb.hoc)[0].awaiting_label == (
        "Decision of the Head of Commissioning"
    )
    # Each listed item is one the person may act on, and only those.
    for user in (wb.srm, wb.sm, wb.hoc, hasc, wb.cqo):
        pending = Recommendation.objects.filter(council=wb.council, status=Status.PENDING)
        for rec in pending:
            assert (rec.pk in listed(user)) == (not blockers(recommendation=rec, user=user))


def test_the_inbox_runs_a_constant_number_of_queries(west_berkshire):
    wb = west_berkshire

    def add(n):
        for _ in range(n):
            _act(_termination(wb), wb.srm, StepOutcome.FORWARDED)  # now the SM's step

    def measure():
        council = Council.objects.get(pk=wb.council.pk)
        user = User.objects.get(pk=wb.sm.pk)  # nothing cached on the person
        with CaptureQueriesContext(connection) as queries:
            items = list(inbox(council=council, user=user))
        return len(items), len(queries)

    add(3)
    listed3, queries3 = measure()
    add(27)
    listed30, queries30 = measure()
    assert (listed3, listed30) == (3, 30)
    assert queries30 == queries3, f"{queries3} queries for 3, {queries30} for 30"

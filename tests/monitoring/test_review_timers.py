"""A review keeps its time limits as timers (issue 10, 1-2): the review planned is due on its
day, met when it is recorded; the report falls due (004 9.1) and is met when sent; the next
review the pack asks for (003 1.13: "a Contract Visit within a 24-month period" for a Good
service) runs from the visit and is met by the next review held, shown on the timeline."""

import datetime as dt

import pytest
from django.utils import timezone

from core.extensions import timeline_entries
from core.models import Timer, TimerStatus
from councils.models import Role
from monitoring.services import review_plan, review_record
from monitoring.services.reviews import NEXT_REVIEW, REPORT_SENT, REVIEW_HELD, review_report_sent
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _timers(council, **kw):
    return {t.kind: t for t in Timer.objects.filter(council=council, **kw)}


def test_a_somerset_contract_visit_keeps_its_time_limits(load_pack, member):
    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    location = LocationFactory(overall_rating="Good", local_authority="Somerset")
    planned = review_plan(
        council=council,
        location=location,
        actor=officer,
        kind="contract_visit",
        planned_for=TODAY + dt.timedelta(days=10),
        officers=[officer],
    )
    held = _timers(council)[REVIEW_HELD]
    assert (held.owner, held.due_on, held.status) == (officer, planned.planned_for, "running")
    assert held.label.startswith("Contract visit of")

    review_record(review=planned, actor=officer, visited_on=TODAY, findings="All well.")
    timers = _timers(council)
    assert timers[REVIEW_HELD].status == TimerStatus.MET
    nxt = timers[NEXT_REVIEW]
    assert (nxt.subject_type, nxt.subject_id) == ("providers.location", str(location.pk))
    planned.refresh_from_db()
    assert nxt.due_on == planned.next_due_on and "24 months" in nxt.label  # 003 1.13
    if REPORT_SENT in timers:
        review_report_sent(review=planned, actor=officer, sent_on=TODAY)
        assert _timers(council)[REPORT_SENT].status == TimerStatus.MET

    second = review_plan(
        council=council, location=location, actor=officer, kind="contract_visit",
        planned_for=TODAY,
    )  # fmt: skip
    review_record(review=second, actor=officer, visited_on=TODAY, findings="Still well.")
    first_next = Timer.objects.get(pk=nxt.pk)
    assert first_next.status == TimerStatus.MET and first_next.outcome.startswith("held on")
    entries = timeline_entries(council=council, location=location, kinds=["timers"])
    assert any(e.title.startswith("Met: Next review of") for e in entries)


def test_somerset_questionnaire_returned_within_28_days(load_pack, member):
    """003 1.3: "Providers will have 28 days to complete the questionnaire from the date it is
    issued." """
    from monitoring.services.reviews import SELF_CERTIFICATION

    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    sent = review_plan(
        council=council,
        location=LocationFactory(local_authority="Somerset"),
        actor=officer,
        kind="annual_questionnaire",
        planned_for=TODAY,
    )
    timer = _timers(council)[SELF_CERTIFICATION]
    assert timer.due_on == TODAY + dt.timedelta(days=28) == sent.self_certification_due_on
    assert (timer.seed, timer.owner) == ("003 1.3", officer)

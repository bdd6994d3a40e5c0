"""A restriction's time limits, each a `core.Timer` counted in England's working days where the
seed says so: the provider told within 5 working days (004 19.1), the appeal within 5 working
days of the letter and decided within 21 days (004 19.2), a Default Notice considered after 6
months of Embargo (004 20.2), and no lifting within 6 months of compliance (003 2.5)."""

import datetime as dt

import pytest

from concerns.models import Alert
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import Timer, TimerStatus
from core.tasks import timers_sweep
from decisions.models import Recommendation
from restrictions.models import (
    AppealStatus,
    EventKind,
    Notice,
    NoticeStatus,
    RestrictionEvent,
    Status,
)
from restrictions.services import (
    appeal_lodge,
    notice_record_sent,
    restriction_change,
    restriction_review,
)
from restrictions.services.effects import (
    APPEAL_DECISION,
    APPEAL_WINDOW,
    DEFAULT_NOTICE,
    HOLD,
    TELL_PROVIDER,
)
from tests.factories import LocationFactory
from tests.restrictions.rules.helpers import (
    SD,
    act,
    ev,
    refused,
    somerset_impose,
    today,
    wb_chain,
    wb_impose,
    wb_propose,
    working_days_on,
)

pytestmark = pytest.mark.django_db

CHRISTMAS_DECISION = dt.date(2026, 12, 23)  # a Wednesday
LETTER_DUE = dt.date(2027, 1, 4)  # 24, 29, 30, 31 December and 4 January (25, 28 Dec, 1 Jan off)


def timer(subject, kind) -> Timer:
    return Timer.objects.get(
        subject_type=subject._meta.label_lower, subject_id=str(subject.pk), kind=kind
    )


def provider_letter(r, when="imposed") -> Notice:
    return Notice.objects.get(restriction=r, audience="provider", when=when)


def send(wb, notice, on):
    return notice_record_sent(
        notice=notice, actor=wb.cqo, sent_on=on, how="Letter by email to the registered manager"
    )


# --- 004 19.1 -----------------------------------------------------------------------------------


def test_004_19_1_a_decision_on_23_december_2026_is_due_to_the_provider_by_4_january_2027(
    wb, clock
):
    """004 19.1: "The CQO or SRM will notify the Provider of such a decision in writing within
    five working days, outlining the reasons for the decision and the right to appeal."
    Christmas Day, the Boxing Day substitute (Monday 28 December) and New Year's Day are bank
    holidays in England."""
    assert working_days_on(CHRISTMAS_DECISION, 5) == LETTER_DUE  # independently of the app
    clock.set(CHRISTMAS_DECISION)
    r = wb_impose(wb, LocationFactory())
    assert r.decided_on == CHRISTMAS_DECISION
    tell = timer(r, TELL_PROVIDER)
    assert (tell.starts_on, tell.due_on, tell.status, tell.seed) == (
        CHRISTMAS_DECISION,
        LETTER_DUE,
        TimerStatus.RUNNING,
        "004 19.1",
    )
    letter = provider_letter(r)
    assert (letter.letter, letter.due_on, letter.status) == (
        "decision_letter",
        LETTER_DUE,
        NoticeStatus.REQUESTED,
    )
    assert "right to appeal" in letter.label
    # Still in time on the 4th: the sweep leaves it running.
    clock.set(LETTER_DUE)
    timers_sweep()
    tell.refresh_from_db()
    assert tell.status == TimerStatus.RUNNING
    # Not in the future, and how it went.
    with refused(ValidationFailed, field="sent_on"):
        send(wb, letter, LETTER_DUE + dt.timedelta(days=1))
    with refused(ValidationFailed, field="how"):
        notice_record_sent(notice=letter, actor=wb.cqo, sent_on=LETTER_DUE, how=" ")
    send(wb, letter, LETTER_DUE)
    tell.refresh_from_db()
    assert (tell.status, tell.outcome) == (TimerStatus.MET, "told in writing on 4 January 2027")
    letter.refresh_from_db()
    assert (letter.status, letter.sent_on) == (NoticeStatus.SENT, LETTER_DUE)
    # The time to appeal runs from the letter (004 19.2).
    window = timer(r, APPEAL_WINDOW)
    assert (window.starts_on, window.due_on) == (LETTER_DUE, dt.date(2027, 1, 11))
    with refused(Conflict, says="4 January 2027"):
        send(wb, letter, LETTER_DUE)


def test_004_19_1_a_letter_not_sent_in_five_working_days_is_overdue(wb, clock):
    """004 19.1: "within five working days": on the sixth the timer fires."""
    clock.set(CHRISTMAS_DECISION)
    r = wb_impose(wb, LocationFactory())
    clock.set(LETTER_DUE + dt.timedelta(days=1))
    timers_sweep()
    tell = timer(r, TELL_PROVIDER)
    assert (tell.status, tell.outcome) == (
        TimerStatus.FIRED,
        "overdue: the provider has not been told in writing",
    )


# --- 004 19.2 -----------------------------------------------------------------------------------


def _told_on_4_january(wb, clock):
    clock.set(CHRISTMAS_DECISION)
    r = wb_impose(wb, LocationFactory())
    clock.set(LETTER_DUE)
    send(wb, provider_letter(r), LETTER_DUE)
    return r


def test_004_19_2_an_appeal_on_the_sixth_working_day_after_the_letter_is_refused(wb, clock):
    """004 19.2: "If the Provider wishes to appeal the decision the request must be made within
    5 working days in writing with reasons and any evidence": refused on the sixth, naming the
    last day (Monday 11 January 2027, for a letter of Monday 4 January)."""
    r = _told_on_4_january(wb, clock)
    clock.set(dt.date(2027, 1, 12))
    with refused(ValidationFailed, field="received_on", says="Monday 11 January 2027"):
        appeal_lodge(
            restriction=r,
            actor=wb.cqo,
            received_on=dt.date(2027, 1, 12),
            grounds="The inspection was out of date",
        )
    with refused(ValidationFailed, field="grounds"):
        appeal_lodge(restriction=r, actor=wb.cqo, received_on=dt.date(2027, 1, 11), grounds="")
    with refused(ValidationFailed, field="received_on", says="before the decision letter"):
        appeal_lodge(
            restriction=r, actor=wb.cqo, received_on=dt.date(2027, 1, 1), grounds="Too early"
        )


def test_004_19_2_an_appeal_cannot_be_recorded_before_the_letter_is_sent(wb):
    """004 19.2: the window counts from the decision letter, so none is recorded before it."""
    r = wb_impose(wb, LocationFactory())
    with refused(Conflict, says="not recorded as sent"):
        appeal_lodge(restriction=r, actor=wb.cqo, received_on=today(), grounds="Unfair")


def _lodge_on_the_fifth_day(wb, clock):
    r = _told_on_4_january(wb, clock)
    clock.set(dt.date(2027, 1, 12))
    appeal = appeal_lodge(
        restriction=r,
        actor=wb.cqo,
        received_on=dt.date(2027, 1, 11),
        grounds="The inspection findings are out of date; a new manager started in December",
        evidence=[ev("appeal_letter", "Letter of 11 January")],
    )
    return r, appeal


def test_004_19_2_an_appeal_in_time_goes_to_the_service_director_within_21_days(wb, clock):
    """004 19.2: "The Service Director of Adult Social Care will review the decision within 21
    days of the appeal"."""
    r, appeal = _lodge_on_the_fifth_day(wb, clock)
    assert (appeal.status, appeal.letter_on, appeal.due_on) == (
        AppealStatus.LODGED,
        LETTER_DUE,
        dt.date(2027, 2, 1),
    )
    rec = appeal.recommendation
    assert (rec.kind, rec.awaiting_post, rec.awaiting_decider) == ("appeal", SD, "person")
    decide = timer(appeal, APPEAL_DECISION)
    assert (decide.starts_on, decide.due_on, decide.seed) == (
        dt.date(2027, 1, 11),
        dt.date(2027, 2, 1),
        "004 19.2",
    )
    assert timer(r, APPEAL_WINDOW).status == TimerStatus.MET
    assert RestrictionEvent.objects.filter(restriction=r, kind=EventKind.APPEALED).exists()
    # One appeal waits at a time; the Head of Commissioning does not decide it.
    with refused(Conflict):
        appeal_lodge(restriction=r, actor=wb.cqo, received_on=dt.date(2027, 1, 11), grounds="Again")
    with refused(NotAllowed, says=SD):
        act(rec, wb.hoc, "approved", "Overturned")


def test_004_19_2_an_upheld_appeal_lifts_the_restriction_and_is_told(wb, clock):
    """004 19.2: "... and communicate the outcome in writing to the Provider, Head of
    Commissioning and CQT." Upheld, the decision is overturned: the restriction is lifted."""
    r, appeal = _lodge_on_the_fifth_day(wb, clock)
    clock.set(dt.date(2027, 1, 25))
    act(appeal.recommendation, wb.sd, "approved", "The decision is overturned")
    appeal.refresh_from_db()
    r.refresh_from_db()
    assert (appeal.status, appeal.decided_on) == (AppealStatus.UPHELD, dt.date(2027, 1, 25))
    assert (r.status, r.ended_on) == (Status.LIFTED, dt.date(2027, 1, 25))
    assert timer(appeal, APPEAL_DECISION).status == TimerStatus.MET
    told = Notice.objects.filter(restriction=r, when="appeal_decided")
    assert sorted(told.values_list("audience", "letter")) == [
        ("provider", "appeal_outcome_letter"),
        ("staff", ""),
    ]
    assert all(n.appeal_id == appeal.pk for n in told)
    assert Notice.objects.filter(restriction=r, when="lifted", audience="provider").exists()


def test_004_19_2_a_dismissed_appeal_keeps_the_restriction_and_is_told(wb, clock):
    """004 19.2: the Service Director reviews the decision; dismissed, it stands, and the
    outcome is communicated in writing to the Provider, Head of Commissioning and CQT."""
    r, appeal = _lodge_on_the_fifth_day(wb, clock)
    clock.set(dt.date(2027, 1, 29))
    act(appeal.recommendation, wb.sd, "rejected", "The decision stands")
    appeal.refresh_from_db()
    r.refresh_from_db()
    assert (appeal.status, appeal.outcome) == (AppealStatus.DISMISSED, "The decision stands")
    assert (r.status, r.level) == (Status.ACTIVE, "suspended")
    assert sorted(
        Notice.objects.filter(restriction=r, when="appeal_decided").values_list(
            "audience", flat=True
        )
    ) == ["provider", "staff"]
    assert not Notice.objects.filter(restriction=r, when="lifted").exists()
    assert timer(appeal, APPEAL_DECISION).status == TimerStatus.MET


# --- 004 20.2 -----------------------------------------------------------------------------------


def test_004_20_2_six_months_on_embargo_suggests_a_default_notice(wb, clock):
    """004 20.2: "If the Provider has been on an Embargo for 6 months or more, Default Notice
    may be given." The sweep raises an alert for the officers to consider it (004 21.2)."""
    clock.set(dt.date(2026, 5, 1))
    location = LocationFactory()
    r = wb_impose(wb, location, level="suspended")
    caution = wb_impose(wb, LocationFactory(), level="caution")
    due = timer(r, DEFAULT_NOTICE)
    assert (due.starts_on, due.due_on, due.seed) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 11, 1),
        "004 20.2",
    )
    # Place with Caution has no such clock.
    assert not Timer.objects.filter(subject_id=str(caution.pk), kind=DEFAULT_NOTICE).exists()

    clock.set(dt.date(2026, 11, 1))
    timers_sweep()
    due.refresh_from_db()
    assert due.status == TimerStatus.RUNNING
    assert not Alert.objects.filter(trigger="restriction_default_notice").exists()

    clock.set(dt.date(2026, 11, 2))
    timers_sweep()
    due.refresh_from_db()
    assert due.status == TimerStatus.FIRED
    alert = Alert.objects.get(council=wb.council, trigger="restriction_default_notice")
    assert alert.suggestion == (
        "Consider a letter warning of a default and a Default Notice (004 21.2)"
    )
    assert (alert.location_id, alert.seed) == (location.pk, "004 20.2")
    assert r.reference in alert.detail and "1 May 2026" in alert.detail
    assert "Embargo" in alert.label
    timers_sweep()
    assert Alert.objects.filter(trigger="restriction_default_notice").count() == 1


# --- 003 2.5 ------------------------------------------------------------------------------------


def _red_held(som, clock):
    clock.set(dt.date(2026, 6, 1))
    r = somerset_impose(som, LocationFactory(postcode="TA1 1AA", local_authority="Somerset"))
    clock.real()
    return r


def test_003_2_5_a_red_held_after_compliance_is_not_lifted_or_downgraded_for_6_months(som, clock):
    """003 2.5: "If a provider consistently does not meet CQC compliance standards, or
    standards fluctuate, a decision may be made to continue to suspend making new placements
    for a minimum period of at least six months, even after CQC compliance is achieved"."""
    r = _red_held(som, clock)
    compliance = dt.date(2026, 11, 2)
    restriction_review(
        restriction=r,
        actor=som.officer,
        note="CQC compliance achieved; standards have fluctuated",
        next_review_on=today() + dt.timedelta(days=60),
        compliance_on=compliance,
        hold=True,
    )
    r.refresh_from_db()
    assert r.hold_until == dt.date(2027, 5, 2)
    assert timer(r, HOLD).due_on == dt.date(2027, 5, 2)
    assert RestrictionEvent.objects.filter(restriction=r, kind=EventKind.HELD).exists()
    for level in ("caution", "none"):
        with refused(Conflict, says="2 May 2027"):
            restriction_change(
                restriction=r,
                actor=som.officer,
                level=level,
                reasons="Compliant now",
                evidence=[ev("meeting_notes", "QIM")],
            )
    # After the hold, it may be lifted (asked for, and decided by a designated manager).
    clock.set(dt.date(2027, 5, 3))
    restriction_change(restriction=r, actor=som.officer, level="none", reasons="Sustained")
    rec = Recommendation.objects.get(kind="restriction_change", subject_id=str(r.pk))
    act(rec, som.designated, "approved", "Improvement sustained")
    r.refresh_from_db()
    assert r.status == Status.LIFTED


def test_003_2_5_a_lift_waiting_when_the_hold_is_set_cannot_be_decided_before_it_ends(som, clock):
    """003 2.5: "... for a minimum period of at least six months, even after CQC compliance is
    achieved": a lift asked for earlier is refused when decided inside the hold (409 naming
    the date), and nothing is decided."""
    r = _red_held(som, clock)
    restriction_change(restriction=r, actor=som.officer, level="none", reasons="Compliant")
    rec = Recommendation.objects.get(kind="restriction_change", subject_id=str(r.pk))
    restriction_review(
        restriction=r,
        actor=som.officer,
        note="Standards fluctuate",
        next_review_on=today() + dt.timedelta(days=60),
        compliance_on=today() - dt.timedelta(days=1),
        hold=True,
    )
    r.refresh_from_db()
    with refused(Conflict, says=f"{r.hold_until:%-d %B %Y}"):
        act(rec, som.designated, "approved", "Lift it")
    rec.refresh_from_db()
    assert rec.status == "pending"


def test_003_2_5_the_hold_is_for_red_only_and_needs_the_compliance_date(som, clock):
    """003 2.5: "continue to suspend making new placements": only a suspension (RED) is held,
    from the day compliance was achieved."""
    r = _red_held(som, clock)
    with refused(ValidationFailed, field="compliance_on"):
        restriction_review(
            restriction=r,
            actor=som.officer,
            note="Compliant",
            next_review_on=today() + dt.timedelta(days=30),
            hold=True,
        )
    amber = somerset_impose(som, LocationFactory(postcode="BA5 1AA"), level="caution")
    with refused(ValidationFailed, field="hold"):
        restriction_review(
            restriction=amber,
            actor=som.officer,
            note="Compliant",
            next_review_on=today() + dt.timedelta(days=30),
            compliance_on=today(),
            hold=True,
        )


def test_003_2_5_a_held_red_may_still_be_escalated_to_termination(som, clock):
    """003 2.5: the hold keeps new placements suspended; it does not stand in the way of "the
    provider's contract may be terminated on the recommendation of the Commissioning and
    Quality Board" (a change up, not a lifting or downgrading)."""
    r = _red_held(som, clock)
    restriction_review(
        restriction=r,
        actor=som.officer,
        note="Standards fluctuate",
        next_review_on=today() + dt.timedelta(days=60),
        compliance_on=today() - dt.timedelta(days=10),
        hold=True,
    )
    restriction_change(
        restriction=r,
        actor=som.officer,
        level="terminated",
        reasons="Breach of contract",
        evidence=[ev("meeting_notes", "Board minutes")],
    )
    rec = Recommendation.objects.get(kind="restriction_change", subject_id=str(r.pk))
    act(rec, som.designated, "approved", "Terminated")
    r.refresh_from_db()
    assert (r.status, r.level) == (Status.ACTIVE, "terminated")


def test_004_20_1_a_review_sets_the_next_review(wb):
    """004 20.1: "The Providers with Restrictions List is reviewed on a case-by-case basis by
    the CQT"; 14: "Inclusion on the Restriction List will be reviewed following action plan
    updates, visits and feedback received." Every review sets the next one."""
    r = wb_impose(wb, LocationFactory())
    with refused(ValidationFailed, field="next_review_on"):
        restriction_review(
            restriction=r, actor=wb.cqo, note="Visit: some progress", next_review_on=None
        )
    with refused(ValidationFailed, field="hold"):
        restriction_review(
            restriction=r,
            actor=wb.cqo,
            note="Compliant",
            next_review_on=today() + dt.timedelta(days=30),
            compliance_on=today(),
            hold=True,
        )  # West Berkshire's pack holds nothing after compliance
    nxt = today() + dt.timedelta(days=42)
    restriction_review(restriction=r, actor=wb.cqo, note="Visit: some progress", next_review_on=nxt)
    r.refresh_from_db()
    assert r.review_on == nxt
    review = Timer.objects.get(subject_id=str(r.pk), kind="restrictions.review")
    assert (review.due_on, review.status) == (nxt, TimerStatus.RUNNING)


def test_004_19_1_a_letter_sent_before_a_past_decision_was_recorded_meets_the_limit(wb, clock):
    """004 19.1: "within five working days" of the decision: a decision dated in the past
    (taken on Wednesday 4 November, recorded later) whose letter went on Friday 6 November is
    recorded as sent on that day; a letter cannot be dated before the decision itself."""
    clock.set(dt.date(2026, 11, 2))
    r = wb_propose(wb, LocationFactory())
    clock.set(dt.date(2026, 11, 20))
    wb_chain(wb, r.recommendation, decided_on=dt.date(2026, 11, 4))
    letter = provider_letter(r)
    assert letter.due_on == dt.date(2026, 11, 11)
    with refused(ValidationFailed, field="sent_on"):
        send(wb, letter, dt.date(2026, 11, 3))
    send(wb, letter, dt.date(2026, 11, 6))
    tell = timer(r, TELL_PROVIDER)
    assert (tell.status, tell.outcome) == (TimerStatus.MET, "told in writing on 6 November 2026")
    assert timer(r, APPEAL_WINDOW).due_on == dt.date(2026, 11, 13)

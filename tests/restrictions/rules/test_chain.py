"""The decision chain of a restriction: proposed, checked, decided (004 18.1-18.5; 003 2.6),
put in place from the day of the decision to the services the decision maker chose (004 18.4),
changed, downgraded or lifted the same way (004 20.4-20.5); and the case that follows it."""

import datetime as dt

import pytest

from concerns.models import CaseMove, Stage
from concerns.services import case_open
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry, Timer, TimerStatus
from councils.api_auth import TokenUser
from councils.services import token_create
from decisions.models import DecisionStep, StepOutcome
from decisions.models import Status as RecStatus
from restrictions.models import EventKind, Notice, RestrictionEvent, Status
from restrictions.selectors.status import statuses
from restrictions.services import restriction_change, restriction_propose, restriction_withdraw
from restrictions.services.effects import DEFAULT_NOTICE, TELL_PROVIDER
from tests.factories import LocationFactory, ProviderFactory
from tests.restrictions.rules.helpers import (
    HOC,
    QIM,
    SRM,
    THIS_SERVICE,
    WB_EVIDENCE,
    WHOLE_PROVIDER,
    Clock,
    act,
    ev,
    refused,
    somerset_people,
    today,
    two_services,
    wb_chain,
    wb_impose,
    wb_propose,
    working_days_on,
)

pytestmark = pytest.mark.django_db


def events_of(r) -> list[tuple[str, str, str]]:
    return [
        (e.kind, e.from_level, e.to_level)
        for e in RestrictionEvent.objects.filter(restriction=r).order_by("at", "id")
    ]


def timer(r, kind) -> Timer:
    return Timer.objects.get(
        subject_type="restrictions.restriction", subject_id=str(r.pk), kind=kind
    )


def shown(council, *locations) -> dict:
    found = statuses(council=council, locations=[(loc.pk, loc.provider_id) for loc in locations])
    return {lid: (s.level, s.label) for lid, s in found.items()}


# --- 004 18: proposed, checked, decided ------------------------------------------------------


def test_004_18_cqo_proposes_srm_and_sm_forward_head_of_commissioning_decides(wb, monkeypatch):
    """004 18.1: "The CQT will advise the SRM and SM that criteria for a restriction or
    termination is met. If the SRM considers the criteria is met they in conjunction with the
    CQT will advise the SM in writing with reasons and supporting documents e.g. Improvement
    plan, link to the CQC report." 18.3: "SM will make a recommendation to the Head of
    Commissioning in writing". 18.5: "The Head of Commissioning will decide whether a
    restriction or termination should be put in place." In place from the day of the decision,
    given in the past; its time limits count from that day."""
    clock = Clock(monkeypatch)
    proposed_on = clock.set(dt.date(2026, 11, 2))
    location = LocationFactory()
    r = wb_propose(wb, location)
    assert r.status == Status.PROPOSED
    rec = r.recommendation
    assert (rec.kind, rec.key, rec.awaiting_post) == ("restriction", "suspended", SRM)
    assert [e["kind"] for e in rec.evidence] == ["cqc_report", "improvement_plan"]
    # Nobody skips the SRM: the Head of Commissioning cannot decide yet.
    with refused(NotAllowed, says="It waits for"):
        act(rec, wb.hoc, "approved", decision_details={"scope": THIS_SERVICE})
    act(rec, wb.srm, "forwarded", "The criteria are met")
    act(rec, wb.sm, "forwarded", "I recommend an Embargo")
    rec.refresh_from_db()
    assert rec.awaiting_post == HOC
    assert shown(wb.council, location)[location.pk] == ("none", "No Restrictions on Placements")

    clock.real()
    decided_on = proposed_on + dt.timedelta(days=2)  # Wednesday 4 November 2026
    act(
        rec,
        wb.hoc,
        "approved",
        "Embargo: risks to residents",
        decided_on=decided_on,
        decision_details={"scope": THIS_SERVICE},
    )
    r.refresh_from_db()
    assert r.status == Status.ACTIVE
    assert (r.decided_on, r.level_since, r.location_id) == (decided_on, decided_on, location.pk)
    assert r.decided_by_label.startswith(str(wb.hoc.get_full_name() or wb.hoc))
    steps = DecisionStep.objects.filter(recommendation=rec).order_by("position")
    assert [(s.position, s.outcome, s.actor_id, s.label) for s in steps] == [
        (0, StepOutcome.FORWARDED, wb.srm.pk, "SRM agrees the criteria for a restriction are met"),
        (
            1,
            StepOutcome.FORWARDED,
            wb.sm.pk,
            "SM recommends the restriction to the Head of Commissioning in writing",
        ),
        (2, StepOutcome.APPROVED, wb.hoc.pk, f"Decision of the {HOC}"),
    ]
    assert steps[2].acting_as == HOC
    assert events_of(r) == [
        (EventKind.PROPOSED, "", "suspended"),
        (EventKind.IMPOSED, "", "suspended"),
    ]
    assert RestrictionEvent.objects.get(restriction=r, kind=EventKind.IMPOSED).on == decided_on
    assert shown(wb.council, location)[location.pk] == ("suspended", "Embargo")
    # 004 19.1 and 20.2 count from the day of the decision, not the day it was recorded.
    tell = timer(r, TELL_PROVIDER)
    assert (tell.starts_on, tell.due_on) == (decided_on, working_days_on(decided_on, 5))
    assert timer(r, DEFAULT_NOTICE).due_on == dt.date(2027, 5, 4)
    entry = AuditEntry.objects.get(action="restriction.imposed", object_id=str(r.pk))
    assert "4 November 2026" in entry.summary


def test_004_18_2_not_recommended_by_the_sm_keeps_the_reasons_and_the_stipulation(wb):
    """004 18.2: "No recommendation - SRM will advise the CQT of the decision with reasons and
    any stipulations for when they should be reconsidered for a termination or restriction"."""
    location = LocationFactory()
    r = wb_propose(wb, location)
    act(r.recommendation, wb.srm, "forwarded", "The criteria are met")
    stipulation = "Reconsider if the next review finds the falls actions unmet"
    act(
        r.recommendation,
        wb.sm,
        "declined",
        "Not yet: the plan is new",
        stipulation=stipulation,
    )
    r.refresh_from_db()
    assert r.status == Status.NOT_APPROVED
    assert (r.decided_on, r.ended_on) == (today(), today())
    refusal = RestrictionEvent.objects.get(restriction=r, kind=EventKind.NOT_APPROVED)
    assert "Not yet: the plan is new" in refusal.reason
    assert f"Reconsider: {stipulation}" in refusal.reason
    assert refusal.actor_id == wb.sm.pk
    assert r.recommendation.status == RecStatus.REJECTED
    # Nothing follows a refusal: no notices, no timers, nothing shown.
    assert not Notice.objects.filter(restriction=r).exists()
    assert not Timer.objects.filter(subject_type="restrictions.restriction").exists()
    assert shown(wb.council, location)[location.pk][0] == "none"
    # It may be proposed again.
    again = wb_propose(wb, location, reasons="The falls actions are unmet at the next review")
    assert again.status == Status.PROPOSED


def test_004_18_1_a_manager_may_not_propose_in_west_berkshire(wb):
    """004 18.1: "The CQT will advise the SRM and SM that criteria for a restriction or
    termination is met": the pack's `impose.by` is the officer; the SRM checks, never
    proposes."""
    with refused(NotAllowed, says="may put a restriction in place"):
        restriction_propose(
            council=wb.council,
            actor=wb.srm,
            level="suspended",
            reasons="Criteria met",
            location=LocationFactory(),
            evidence=WB_EVIDENCE,
        )


def test_004_18_1_a_token_or_the_system_may_not_propose(wb):
    """004 18.1: "in writing with reasons and supporting documents": a person asks; another
    council system (a token) and the system itself may not."""
    token, _ = token_create(
        council=wb.council, name="Mosaic", scopes=["placements:read", "restrictions:read"]
    )
    for actor in (None, TokenUser(token)):
        with refused(NotAllowed):
            restriction_propose(
                council=wb.council,
                actor=actor,
                level="suspended",
                reasons="Criteria met",
                location=LocationFactory(),
                evidence=WB_EVIDENCE,
            )


def test_004_20_4_a_second_open_restriction_on_the_same_service_is_409(wb):
    """One restriction proposed or in place per service at a time: a second is a change of the
    first's level (004 20.4)."""
    location = LocationFactory()
    first = wb_propose(wb, location)
    with refused(Conflict, says=first.reference):
        wb_propose(wb, location, level="caution")
    wb_chain(wb, first.recommendation)
    with refused(Conflict, says="change its level"):
        wb_propose(wb, location, level="caution")
    # The same for the whole provider.
    provider = ProviderFactory()
    wide = wb_propose(wb, provider=provider)
    with refused(Conflict, says=wide.reference):
        wb_propose(wb, provider=provider)


def test_003_2_6_somerset_asks_for_the_qim_and_a_designated_scc_manager_decides(load_pack, member):
    """003 2.6: "This will only be implemented following discussion with the provider at a
    Quality Improvement Meeting or Provider Safeguarding Meeting, unless there are exceptional
    circumstances. Only a very limited number of specifically designated SCC managers and SCCG
    senior managers can authorise a change of commissioning status"."""
    som = somerset_people(load_pack, member)
    location = LocationFactory(postcode="TA1 1AA", local_authority="Somerset")

    def propose(details):
        return restriction_propose(
            council=som.council,
            actor=som.officer,
            level="suspended",
            reasons="Quality concerns",
            location=location,
            evidence=[ev("meeting_notes", "QIM notes and actions")],
            details=details,
        )

    with refused(ValidationFailed, field="details.discussed_at"):
        propose({})
    r = propose(QIM)
    assert r.details == QIM
    rec = r.recommendation
    assert (rec.awaiting_post, rec.awaiting_decider) == ("Designated SCC manager", "person")
    # A manager who is not designated cannot authorise it.
    with refused(NotAllowed, says="Designated SCC manager"):
        act(rec, som.manager, "approved", decision_details={"scope": THIS_SERVICE})
    act(rec, som.designated, "approved", "RED", decision_details={"scope": THIS_SERVICE})
    r.refresh_from_db()
    assert r.status == Status.ACTIVE
    assert shown(som.council, location)[location.pk] == (
        "suspended",
        "RED: not currently placing",
    )


# --- 004 18.4: the decision maker chooses the services ---------------------------------------


def test_004_18_4_the_scope_is_asked_of_the_decision_maker(wb):
    """004 18.4: "If the Provider operates more than one service, the Head of Commissioning will
    consider whether the restriction or termination should apply to those other services
    also." Approving without saying is refused (400 naming it) and nothing is written."""
    r = wb_propose(wb, LocationFactory())
    act(r.recommendation, wb.srm, "forwarded")
    act(r.recommendation, wb.sm, "forwarded")
    with refused(ValidationFailed, field="decision_details.scope"):
        act(r.recommendation, wb.hoc, "approved", "Embargo")
    with refused(ValidationFailed, field="decision_details.scope"):
        act(r.recommendation, wb.hoc, "approved", "Embargo", decision_details={"scope": "All"})


def test_004_18_4_all_of_the_providers_services_restricts_both(wb):
    """004 18.4: "the Head of Commissioning will consider whether the restriction or
    termination should apply to those other services also. This will depend on the nature of
    the concerns and the circumstances." Chosen: both services are restricted."""
    first, second = two_services()
    elsewhere = LocationFactory()
    r = wb_impose(wb, first, level="caution", scope=WHOLE_PROVIDER)
    assert r.location_id is None and r.provider_id == first.provider_id
    assert r.recommendation.decision_details == {"scope": WHOLE_PROVIDER}
    found = statuses(
        council=wb.council,
        locations=[(loc.pk, loc.provider_id) for loc in (first, second, elsewhere)],
    )
    assert {lid: (s.level, s.restricted) for lid, s in found.items()} == {
        first.pk: ("caution", True),
        second.pk: ("caution", True),
        elsewhere.pk: ("none", False),
    }
    assert found[second.pk].own.whole_provider
    # The other way: this service only.
    third, fourth = two_services()
    wb_impose(wb, third, scope=THIS_SERVICE)
    assert shown(wb.council, third, fourth) == {
        third.pk: ("suspended", "Embargo"),
        fourth.pk: ("none", "No Restrictions on Placements"),
    }


def test_004_18_4_a_provider_wide_embargo_shows_both_services_embargoed(wb):
    """004 18.4 and 13.2: "Embargo: Do not make any placements with this Provider whilst an
    embargo is in place": proposed for all of the provider's services, both show Embargo."""
    first, second = two_services()
    r = wb_impose(wb, provider=first.provider, level="suspended")
    assert r.location_id is None
    assert r.recommendation.decision_details == {}  # no service to choose beyond: all
    assert shown(wb.council, first, second) == {
        first.pk: ("suspended", "Embargo"),
        second.pk: ("suspended", "Embargo"),
    }


# --- 004 20.4-20.5: changed, downgraded, lifted through the chain ----------------------------


def test_004_20_4_a_downgrade_goes_through_the_chain(wb):
    """004 20.4: "If there is evidence of improvement and the Provider no longer meets the
    criteria for a restriction the CQO will advise the SRM and SM ... the SM will make a
    recommendation to the Head of Commissioning, in writing with supporting information."
    16.3: "A Provider has made such improvements that an Embargo is no longer appropriate"."""
    location = LocationFactory()
    r = wb_impose(wb, location, level="suspended")
    restriction_change(
        restriction=r,
        actor=wb.cqo,
        level="caution",
        reasons="Improvements made: an Embargo is no longer appropriate",
        evidence=WB_EVIDENCE,
    )
    r.refresh_from_db()
    assert (r.status, r.level) == (Status.ACTIVE, "suspended")  # until decided
    rec = r.recommendation.__class__.objects.get(kind="restriction_change", subject_id=str(r.pk))
    assert (rec.key, rec.awaiting_post, rec.proposal["level"]) == ("change", SRM, "caution")
    # Nothing else waits while it is in the chain.
    with refused(Conflict):
        restriction_change(
            restriction=r, actor=wb.cqo, level="none", reasons="Lift", evidence=WB_EVIDENCE
        )
    wb_chain(wb, rec, reasons="Downgraded to Place with Caution")
    r.refresh_from_db()
    assert (r.status, r.level, r.level_since) == (Status.ACTIVE, "caution", today())
    assert events_of(r)[-1] == (EventKind.CHANGED, "suspended", "caution")
    assert shown(wb.council, location)[location.pk] == ("caution", "Place with Caution")
    # 004 19.5: "If a restriction is lifted/ downgraded all the above will be notified".
    assert set(
        Notice.objects.filter(restriction=r, when="changed").values_list("audience", flat=True)
    ) == {"provider", "staff", "agencies", "cqc"}
    # 004 20.2 is about an Embargo: its Default Notice clock stops.
    assert timer(r, DEFAULT_NOTICE).status == TimerStatus.ENDED
    # A manager may not ask for it (the pack: the CQO advises).
    with refused(NotAllowed):
        restriction_change(
            restriction=r, actor=wb.sm, level="none", reasons="Lift", evidence=WB_EVIDENCE
        )
    with refused(ValidationFailed, field="level"):
        restriction_change(
            restriction=r, actor=wb.cqo, level="caution", reasons="Same", evidence=WB_EVIDENCE
        )


def test_004_20_5_lifted_by_the_head_of_commissioning_and_a_refused_lift_keeps_it(wb):
    """004 20.5: "The Head of Commissioning will decide whether a restriction or termination
    should be lifted." 20.4: "If not, the SM will advise the CQT of the decision with reasons
    and any stipulations for when they should be reconsidered for a change in status"."""
    location = LocationFactory()
    r = wb_impose(wb, location, level="suspended")

    def ask():
        restriction_change(
            restriction=r,
            actor=wb.cqo,
            level="none",
            reasons="Improvements sustained",
            evidence=WB_EVIDENCE,
        )
        return r.recommendation.__class__.objects.get(
            kind="restriction_change", subject_id=str(r.pk), status="pending"
        )

    # Declined by the SM with a stipulation: it stays in place.
    rec = ask()
    act(rec, wb.srm, "forwarded")
    act(rec, wb.sm, "declined", "Not sustained yet", stipulation="After two good reviews")
    r.refresh_from_db()
    assert (r.status, r.level) == (Status.ACTIVE, "suspended")
    refusal = RestrictionEvent.objects.filter(restriction=r, kind=EventKind.NOT_APPROVED).get()
    assert "Reconsider: After two good reviews" in refusal.reason
    # Refused by the Head of Commissioning: it stays in place.
    rec = ask()
    wb_chain(wb, rec, outcome="rejected", reasons="Risks not yet clear")
    r.refresh_from_db()
    assert (r.status, r.level) == (Status.ACTIVE, "suspended")
    assert shown(wb.council, location)[location.pk] == ("suspended", "Embargo")
    assert not Notice.objects.filter(restriction=r, when="lifted").exists()
    # Approved: lifted from the day of the decision.
    rec = ask()
    wb_chain(wb, rec, reasons="Safe to lift")
    r.refresh_from_db()
    assert (r.status, r.ended_on) == (Status.LIFTED, today())
    assert events_of(r)[-1] == (EventKind.LIFTED, "suspended", "none")
    assert shown(wb.council, location)[location.pk] == ("none", "No Restrictions on Placements")
    # 004 20.6: "If a restriction is lifted/ downgraded the CQT or SRM will notify the Provider".
    lifted = Notice.objects.filter(restriction=r, when="lifted", audience="provider").get()
    assert lifted.letter == "restriction_lifted_letter"
    # Its running clocks stop with it.
    assert timer(r, DEFAULT_NOTICE).status == TimerStatus.ENDED
    with refused(Conflict):
        restriction_change(
            restriction=r, actor=wb.cqo, level="caution", reasons="Again", evidence=WB_EVIDENCE
        )


# --- 004 18.5, 20.5: the case follows ---------------------------------------------------------


def test_004_18_5_the_case_moves_to_formal_when_put_in_place_and_back_when_lifted(wb):
    """004 18.5: "The Head of Commissioning will decide whether a restriction or termination
    should be put in place" (the case is at "Restriction on commissioning" while one is in
    place); 20.5: "... should be lifted" (the case goes back to reviewing the plan)."""
    location = LocationFactory(local_authority="West Berkshire")
    case = case_open(council=wb.council, actor=wb.cqo, summary="Falls", location=location)
    assert case.stage == Stage.INFORMAL
    r = wb_impose(wb, location, case=case)
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    move = CaseMove.objects.get(case=case)
    assert (move.from_stage, move.to_stage, move.move_key) == (
        Stage.INFORMAL,
        Stage.FORMAL,
        "put_restriction_in_place",
    )
    assert move.recommendation_id == r.recommendation_id
    assert move.details == {"restriction": r.reference, "level": "suspended"}
    assert r.reference in move.reason

    restriction_change(
        restriction=r, actor=wb.cqo, level="none", reasons="Sustained", evidence=WB_EVIDENCE
    )
    rec = r.recommendation.__class__.objects.get(kind="restriction_change", status="pending")
    wb_chain(wb, rec, reasons="Lifted")
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL
    moves = CaseMove.objects.filter(case=case).order_by("at", "id")
    assert [(m.move_key, m.to_stage) for m in moves] == [
        ("put_restriction_in_place", Stage.FORMAL),
        ("lift_restriction_keep_reviewing", Stage.INFORMAL),
    ]
    assert moves[1].recommendation_id == rec.pk


def test_004_18_1_only_the_proposer_withdraws_a_proposal_waiting_in_the_chain(wb):
    """004 18.1: the CQT's advice, in writing, is its own: the officer who asked may withdraw
    it while it waits (the recommendation with it); no one else may."""
    location = LocationFactory()
    r = wb_propose(wb, location)
    act(r.recommendation, wb.srm, "forwarded")
    with refused(NotAllowed):
        restriction_withdraw(restriction=r, actor=wb.srm, reason="Not needed")
    restriction_withdraw(restriction=r, actor=wb.cqo, reason="The CQC has re-inspected")
    r.refresh_from_db()
    assert r.status == Status.WITHDRAWN
    assert r.recommendation.status == RecStatus.WITHDRAWN
    assert events_of(r)[-1][0] == EventKind.WITHDRAWN
    with refused(Conflict):
        restriction_withdraw(restriction=r, actor=wb.cqo, reason="Again")
    assert wb_propose(wb, location).status == Status.PROPOSED  # it may be asked for again

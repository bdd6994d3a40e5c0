"""People and builders for the restrictions API, page, tenancy and browser tests: each council's
team (every role, and every post its restriction chain names), and restrictions put in place,
changed and lifted through the real decision chain."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from councils.models import Membership, Role
from decisions.chain import DECIDING_ROLES, Waiting
from decisions.models import Recommendation, StepOutcome
from decisions.services import recommendation_act
from restrictions.models import PlacementCheck, Restriction, Status
from restrictions.pack import Restrictions
from restrictions.services import (
    appeal_lodge,
    list_issue,
    notice_record_sent,
    placement_check_log,
    restriction_change,
    restriction_propose,
    restriction_suggest,
)
from restrictions.services.appeals import appeal_approval
from restrictions.services.common import THIS_SERVICE, WHOLE_PROVIDER
from tests.factories import LocationFactory, ProviderFactory

CONTACT = {"name": "Sam Taylor", "phone": "01635 519 000", "email": "quality@example.gov.uk"}


def posts_of(pack: Restrictions) -> dict[str, str]:
    """{title: role} of every post a restriction's chain names, the deciders included."""
    approvals = [a.approval for a in pack.actions.values() if a.approval]
    if pack.appeals:
        approvals.append(appeal_approval(pack.appeals))
    posts: dict[str, str] = {}
    for approval in approvals:
        for step in approval.chain:
            if step.title:
                posts.setdefault(step.title, step.role)
        maker = pack.policy.maker(approval.decided_by)
        if not maker.is_board:
            posts.setdefault(maker.title, Role.DECISION_MAKER)
    return posts


def evidence_for(pack: Restrictions, action: str) -> list[dict]:
    return [
        {"kind": key, "note": "Report of 2 November: Safe rated Inadequate"}
        for key in pack.action(action).evidence
    ]


def answers_for(pack: Restrictions, action: str) -> dict:
    out = {}
    for f in pack.action(action).fields:
        if f.required:
            if f.type == "choice":
                out[f.key] = f.choices[0]
            elif f.type == "boolean":
                out[f.key] = True
            elif f.type == "date":
                out[f.key] = timezone.localdate().isoformat()
            else:
                out[f.key] = "Discussed at the meeting"
    return out


def walk(team, rec, *, whole_provider: bool = False):
    """Take each step of the chain as the person whose post it is, approving at the end."""
    done = {rec.proposed_by_id}
    while rec.is_pending:
        waiting = Waiting.of(rec)
        qs = Membership.objects.filter(council=team.council, is_active=True).exclude(
            user_id__in=done
        )
        if waiting.deciding:
            qs = qs.filter(title=waiting.post, role__in=DECIDING_ROLES)
        else:
            qs = qs.filter(role=waiting.role, title=waiting.post)
        actor = qs.select_related("user").first().user
        details = {}
        if waiting.deciding and rec.kind == "restriction" and rec.location_id:
            details = {"scope": WHOLE_PROVIDER if whole_provider else THIS_SERVICE}
        rec = recommendation_act(
            recommendation=rec,
            actor=actor,
            outcome=StepOutcome.APPROVED if waiting.deciding else StepOutcome.FORWARDED,
            reasons="The criteria are met on the evidence given.",
            decision_details=details,
        )
        done.add(actor.pk)
    return rec


def team_of(council, member):
    pack = Restrictions.of(council)
    team = SimpleNamespace(
        council=council,
        pack=pack,
        officer=member(council, Role.OFFICER),
        manager=member(council, Role.MANAGER),
        decision_maker=member(council, Role.DECISION_MAKER),
        board=member(council, Role.BOARD_MEMBER),
        placement=member(council, Role.PLACEMENT),
        auditor=member(council, Role.AUDITOR),
        admin=member(council, Role.COUNCIL_ADMIN),
        external=member(council, Role.EXTERNAL),
        posts={},
    )
    for title, role in posts_of(pack).items():
        team.posts[title] = member(council, role, title=title)
    team.by_role = {
        Role.OFFICER: team.officer,
        Role.MANAGER: team.manager,
        Role.DECISION_MAKER: team.decision_maker,
        Role.BOARD_MEMBER: team.board,
        Role.PLACEMENT: team.placement,
        Role.AUDITOR: team.auditor,
        Role.COUNCIL_ADMIN: team.admin,
        Role.EXTERNAL: team.external,
    }
    return team


@pytest.fixture
def team(load_pack, member):
    """team(code) -> the council loaded from its pack, with one person per role and post."""

    def make(code: str):
        return team_of(load_pack(code), member)

    return make


@pytest.fixture
def wb(team):
    """West Berkshire: shares Place with Caution, Embargo and termination with every council
    (004 19.3); its CQO proposes, the SRM and SM check, the Head of Commissioning decides (004
    18.1-18.5); the provider may appeal within 5 working days (004 19.2)."""
    return team("west-berkshire")


@pytest.fixture
def bedford(team):
    """Bedford: shares its sanctions with the other placing authorities (001 Appendix 3)."""
    return team("bedford")


@pytest.fixture
def somerset(team):
    """Somerset: the Managed Placements Memo is confidential; it shares nothing (003 memo)."""
    return team("somerset")


@pytest.fixture
def bromley(team):
    """Bromley: the DASS decides; no sharing section in its pack (000 3.ii)."""
    return team("bromley")


def put_in_place(
    team,
    *,
    location=None,
    provider=None,
    level: str = "suspended",
    whole_provider: bool = False,
    contact: dict | None = None,
    told: bool = False,
    **extra,
) -> Restriction:
    """A restriction proposed by the officer and decided through the council's chain. With
    `provider` alone it covers all the provider's services from the start (004 18.4); with
    `whole_provider` the decision maker extends a location's restriction to them."""
    pack = team.pack
    r = restriction_propose(
        council=team.council,
        actor=team.officer,
        level=level,
        location=location,
        provider=provider if location is None else None,
        reasons="Rated Inadequate in Safe; the improvement plan is failing.",
        evidence=evidence_for(pack, "impose"),
        details=answers_for(pack, "impose"),
        contact=CONTACT if contact is None else contact,
        **extra,
    )
    if r.recommendation_id:
        walk(team, r.recommendation, whole_provider=whole_provider)
    r.refresh_from_db()
    assert r.status == Status.ACTIVE, r.status
    if told:
        tell_provider(team, r)
    return r


def tell_provider(team, r, on=None):
    """Record the decision letter to the provider as sent (the appeal window runs from it)."""
    for notice in r.notices.filter(audience="provider", status="requested"):
        notice_record_sent(
            notice=notice,
            actor=team.officer,
            sent_on=on or timezone.localdate(),
            how="Letter by email to the registered manager",
        )


def lift(team, r) -> Restriction:
    """Lifting asked for by the officer (004 20.4) and decided through the chain (20.5)."""
    pack = team.pack
    restriction_change(
        restriction=r,
        actor=team.officer,
        level="none",
        reasons="The improvement plan is met and the improvements sustained.",
        evidence=evidence_for(pack, "lift"),
        details=answers_for(pack, "lift"),
    )
    pending = Recommendation.objects.filter(
        council=team.council, subject_id=str(r.pk), kind="restriction_change", status="pending"
    ).first()
    if pending is not None:
        walk(team, pending)
    return Restriction.objects.get(pk=r.pk)


def propose(team, *, location=None, level: str = "suspended", **extra) -> Restriction:
    """A restriction proposed and left waiting in the chain."""
    pack = team.pack
    return restriction_propose(
        council=team.council,
        actor=team.officer,
        level=level,
        location=location or LocationFactory(),
        reasons="Complaints about missed calls and staffing over three months.",
        evidence=evidence_for(pack, "impose"),
        details=answers_for(pack, "impose"),
        contact=CONTACT,
        **extra,
    )


def two_services():
    """A provider with two services (004 18.4)."""
    provider = ProviderFactory(name="Kennet Care Group Ltd", name_key="kennet care group ltd")
    first = LocationFactory(
        provider=provider, name="Kennet View Nursing Home", local_authority="West Berkshire"
    )
    second = LocationFactory(
        provider=provider, name="Kennet Lodge", local_authority="West Berkshire"
    )
    return provider, first, second


def everything(team) -> SimpleNamespace:
    """One of each restriction object a caller could read or act on, in one council: a
    restriction in place (the provider told), a proposal waiting in the chain, a rule's
    suggestion, an appeal waiting, a notice to send, an issue of each list, a check made."""
    active = put_in_place(team, location=LocationFactory(name="Active House"), told=True)
    appealed = put_in_place(team, location=LocationFactory(name="Appealed House"), told=True)
    appeal = (
        appeal_lodge(
            restriction=appealed,
            actor=team.officer,
            received_on=timezone.localdate(),
            grounds="The inspection findings are out of date.",
        )
        if team.pack.appeals
        else None
    )
    proposal = propose(team, location=LocationFactory(name="Proposed House"))
    place = LocationFactory(name="Suggested House")
    suggestion = restriction_suggest(
        council=team.council,
        level="suspended",
        location=place,
        provider=place.provider,
        reason="Rated Inadequate in Safe",
        origin="Inadequate in Safe (004 16.2)",
    )
    notice = active.notices.filter(status="requested").first()
    issues = [
        list_issue(council=team.council, actor=team.officer, list_key=ldef.key)
        for ldef in team.pack.lists
    ]
    placement_check_log(
        council=team.council, actor=team.placement, via="page", query="Active", found=0, shown=[]
    )
    check = PlacementCheck.objects.filter(council=team.council).order_by("-id").first()
    return SimpleNamespace(
        active=active,
        appealed=appealed,
        appeal=appeal,
        proposal=proposal,
        suggestion=suggestion,
        notice=notice,
        issue=issues[0] if issues else None,
        check=check,
    )

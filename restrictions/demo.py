"""The restrictions part of the demo: the posts each restriction's chain names, in each council
a restriction in place (decided through its chain, the provider told), one waiting in its
chain, one lifted between two issues of each list (so the memo's GREEN section shows it), and
the placement checks a placement officer made."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope

from councils.demo import demo_councils, demo_password, demo_user
from councils.models import Membership, Role
from councils.services import membership_grant
from decisions.chain import DECIDING_ROLES, Waiting
from decisions.models import Recommendation, StepOutcome
from decisions.services import recommendation_act
from monitoring.models import Commissioning, ContractType
from monitoring.selectors import commissioned_locations
from monitoring.services import commissioning_save
from restrictions.models import Level, Notice, Restriction, Share, Status
from restrictions.pack import Restrictions
from restrictions.selectors.placement import placement_search
from restrictions.services import (
    list_issue,
    notice_record_sent,
    placement_check_log,
    restriction_change,
    restriction_propose,
)
from restrictions.services.appeals import appeal_approval
from restrictions.services.common import THIS_SERVICE
from restrictions.services.sharing import shared_restriction_received


def _posts(pack: Restrictions) -> list[tuple[str, str]]:
    """(title, role) of every post a restriction's chain names, deciders included."""
    posts: dict[str, str] = {}
    approvals = [a.approval for a in pack.actions.values() if a.approval]
    if pack.appeals:
        approvals.append(appeal_approval(pack.appeals))
    for approval in approvals:
        for step in approval.chain:
            if step.title:
                posts.setdefault(step.title, step.role)
        maker = pack.policy.maker(approval.decided_by)
        if not maker.is_board:
            posts.setdefault(maker.title, Role.DECISION_MAKER)
    return sorted(posts.items())


def _holder(council, waiting: Waiting, done: set[int]):
    qs = Membership.objects.filter(council=council, is_active=True).exclude(user_id__in=done)
    if waiting.deciding:
        if waiting.decider == "board":
            qs = qs.filter(role=Role.DECISION_MAKER)
        else:
            qs = qs.filter(title=waiting.post, role__in=DECIDING_ROLES)
    else:
        qs = qs.filter(role=waiting.role)
        if waiting.post:
            qs = qs.filter(title=waiting.post)
    found = qs.select_related("user").first()
    return found.user if found else None


def _walk(rec: Recommendation, *, until_decided: bool = True) -> None:
    """Take each step of the chain as the person whose post it is."""
    done = {rec.proposed_by_id}
    while rec.is_pending:
        waiting = Waiting.of(rec)
        actor = _holder(rec.council, waiting, done)
        if actor is None or (waiting.deciding and not until_decided):
            return
        if waiting.decider == "board":
            return  # a board decides at a meeting of its own: left waiting for it
        rec = recommendation_act(
            recommendation=rec,
            actor=actor,
            outcome=StepOutcome.APPROVED if waiting.deciding else StepOutcome.FORWARDED,
            reasons="The criteria are met on the evidence given (demo).",
            decision_details={"scope": THIS_SERVICE}
            if rec.kind == "restriction" and rec.location_id and waiting.deciding
            else {},
        )
        done.add(actor.pk)


def _evidence(keys) -> list[dict]:
    return [
        {"kind": k, "note": "Demo: see the improvement plan and the last review."} for k in keys
    ]


def _answers(fields) -> dict:
    out = {}
    for f in fields:
        if f.required:
            out[f.key] = (
                f.choices[0]
                if f.type == "choice"
                else (True if f.type == "boolean" else "Discussed at the meeting (demo).")
            )
    return out


def _put_in_place(council, officer, pack, location, level, *, told: bool = True):
    action = pack.action("impose")
    suggested = Restriction.objects.filter(
        council=council, location=location, status=Status.SUGGESTED
    ).first()
    r = restriction_propose(
        council=council,
        actor=officer,
        level=level,
        location=None if suggested else location,
        suggestion=suggested,
        reasons=f"{pack.level(level).label}: medicines errors and a failing plan (demo).",
        evidence=_evidence(action.evidence),
        details=_answers(action.fields),
        contact={
            "name": "Sam Taylor",
            "phone": "01234 567 890",
            "email": "quality@example.invalid",
        },
        exceptions=pack.level(level).exceptions,
    )
    if r.recommendation_id:
        _walk(r.recommendation)
    r.refresh_from_db()
    if told and r.status == Status.ACTIVE:
        for notice in Notice.objects.filter(restriction=r, audience="provider", status="requested"):
            notice_record_sent(
                notice=notice,
                actor=officer,
                sent_on=timezone.localdate(),
                how="Letter by email to the registered manager (demo)",
            )
    return r


def _load_council(council, password: str) -> None:
    pack = Restrictions.of(council)
    with transaction.atomic():
        for title, role in _posts(pack):
            if Membership.objects.filter(council=council, title=title, is_active=True).exists():
                continue
            user = demo_user(f"{council.code}-{slugify(title)}"[:150], council, role, password)
            user.last_name = f"({title})"
            user.save(update_fields=["last_name"])
            membership_grant(council=council, user=user, role=role, title=title)
    if Restriction.objects.filter(council=council).exclude(status=Status.SUGGESTED).exists():
        return
    locations = commissioned_locations(council=council)
    if len(locations) < 8:
        return
    people = {
        m.role: m.user
        for m in Membership.objects.filter(
            council=council, user__username__startswith=council.code, title=""
        )
    }
    officer = people.get(Role.OFFICER)
    if officer is None:
        return
    levels = [lv.key for lv in pack.restrictive_levels if lv.key != Level.TERMINATED]
    worst, mildest = levels[-1], levels[0]
    with transaction.atomic():
        _put_in_place(council, officer, pack, locations[3], worst)
        leaving = _put_in_place(council, officer, pack, locations[4], mildest)
        for ldef in pack.lists:
            list_issue(council=council, actor=officer, list_key=ldef.key)
        if leaving.status == Status.ACTIVE:
            restriction_change(
                restriction=leaving,
                actor=officer,
                level=Level.NONE,
                reasons="The improvement plan is met and the improvements sustained (demo).",
                evidence=_evidence(pack.action("lift").evidence),
                details=_answers(pack.action("lift").fields),
            )
            pending = Recommendation.objects.filter(
                council=council,
                subject_id=str(leaving.pk),
                kind="restriction_change",
                status="pending",
            ).first()
            if pending:
                _walk(pending)
        for ldef in pack.lists:
            list_issue(council=council, actor=officer, list_key=ldef.key)
        waiting = restriction_propose(
            council=council,
            actor=officer,
            level=mildest,
            location=locations[5],
            reasons="Complaints about missed calls and staffing over three months (demo).",
            evidence=_evidence(pack.action("impose").evidence),
            details=_answers(pack.action("impose").fields),
            contact={"name": "Sam Taylor", "phone": "01234 567 890"},
        )
        if waiting.recommendation_id:
            _walk(waiting.recommendation, until_decided=False)
        placer = people.get(Role.PLACEMENT)
        if placer is not None:
            for q in (locations[3].name, locations[4].postcode):
                matches, _ = placement_search(council=council, q=q)
                placement_check_log(
                    council=council,
                    actor=placer,
                    via="page",
                    query=q,
                    found=len(matches),
                    shown=[m.status for m in matches],
                )


def _placing_out_of_area(councils) -> None:
    """A council that takes in other councils' restrictions (004 16.2) places someone with a
    service another council has embargoed: the restriction reaches it as intelligence and a
    suggestion of its own."""
    takers = [c for c in councils if Restrictions.of(c).from_shared]
    for taker in takers:
        with scope(council=taker):
            if Commissioning.objects.filter(council=taker, in_area=False).exists():
                continue
            share = (
                Share.objects.filter(council=taker, ended_at__isnull=True)
                .exclude(restriction__location=None)
                .select_related("restriction__location")
                .first()
            )
            if share is None:
                continue
            commissioning_save(
                council=taker,
                location=share.restriction.location,
                actor=None,
                contract_type=ContractType.SPOT,
                in_area=False,
                people=1,
                beds=1,
            )
            shared_restriction_received(
                council=taker, restriction_id=share.restriction_id, level=share.restriction.level
            )


def load(echo, **options) -> None:
    password = demo_password()
    councils = demo_councils()
    for council in councils:
        with scope(council=council):
            _load_council(council, password)
            echo(f"{council}: restrictions demo loaded")
    _placing_out_of_area(councils)

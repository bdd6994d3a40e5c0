"""Writes for escalation: opening cases, moving them on the council's ladder, recommendations
and decisions, the safeguarding track, exceptions and automatic triggers.

Every move follows one path: the service checks the pack and the person's roles (django-fsm
does not enforce `permission=`), locks the case, transitions, saves inside `atomic()`, records
the move and the audit entry, and leaves its effects (deadlines, letter requests, reviews)."""

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from concerns.ladder import Approval, Field, Ladder, Move
from concerns.models import (
    Alert,
    AlertStatus,
    Case,
    CaseDeadline,
    CaseMove,
    DeadlineStatus,
    DecisionStep,
    LetterRequest,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
    SafeguardingMeeting,
    SafeguardingTrack,
    Stage,
    StepOutcome,
)
from concerns.rules import MoveAttempt
from core.audit import actor_of, audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.workdays import due_date
from councils.models import Council, Delegation, Membership, Role
from councils.permissions import roles_in
from councils.policy import Policy
from providers.models import Location, Provider

# Evidence of no kind the pack names; it never stands in for a required kind.
OTHER_EVIDENCE = "other"

# A post named in a pack is held by a decision maker, or by a manager who also decides some
# things (004: the Service Manager).
DECIDING_ROLES = (Role.DECISION_MAKER, Role.MANAGER)

log = logging.getLogger(__name__)

ROLE_WORDS = {
    "officer": "officers",
    "manager": "managers",
    "decision_maker": "decision makers",
    "board_member": "board members",
    "placement_staff": "placement staff",
    "council_admin": "council administrators",
}


def _label(actor) -> str:
    return actor_of(actor)[1]


def _person(actor):
    """The user row of a person (None for the system or an API token)."""
    return actor_of(actor)[0]


def _roles_text(council: Council, roles) -> str:
    policy = Policy(council.active_policy.content)
    names = [policy.role_label(r) or ROLE_WORDS.get(r, r) for r in sorted(roles)]
    return " or ".join(names)


def _next_reference(council: Council, model, prefix: str) -> str:
    # The council row is locked so that two records never get the same number.
    Council.objects.select_for_update().filter(pk=council.pk).first()
    prefix = f"{prefix}-{timezone.localdate().year}-"
    last = (
        model.objects.filter(council=council, reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")  # 10000 comes after 9999
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


# --- who may act -----------------------------------------------------------------------------


def move_blockers(*, case: Case, move: Move, user, ladder: Ladder | None = None) -> list[str]:
    """Why this person may not make (or propose) this move now; empty when they may."""
    ladder = ladder or Ladder.of(case.council)
    reasons = []
    if not case.is_open:
        reasons.append("The case is closed.")
    elif case.stage not in move.sources:
        reasons.append(
            f"The case is at “{ladder.stage_label(case.stage)}”; this move starts from "
            + " or ".join(f"“{ladder.stage_label(s)}”" for s in move.sources)
            + "."
        )
    if not roles_in(user, case) & move.by:
        reasons.append(f"Only {_roles_text(case.council, move.by)} may make this move.")
    return reasons


def acting_as(*, council: Council, user, approval: Approval, ladder: Ladder, on=None) -> str | None:
    """How this person may take the decision the approval names: as the holder, as a
    delegate within the delegation's dates (000 4.iv; 004 21.3), or as a member of the
    deciding board; None when they may not."""
    on = on or timezone.localdate()
    title = ladder.maker_title(approval.decided_by)
    if ladder.maker_is_board(approval.decided_by):
        if Role.DECISION_MAKER in roles_in(user, council):
            return f"Decision maker of the {title}"
        return None
    # The post is named by its title, whatever role row carries it (004: the Service Manager
    # is a manager who also decides some things).
    holders = Membership.objects.filter(
        council=council, title=title, is_active=True, role__in=DECIDING_ROLES
    )
    if any(m.user_id == user.pk for m in holders):
        return title
    delegation = (
        Delegation.objects.filter(
            council=council,
            delegator__in=holders,
            delegate=user,
            revoked_at__isnull=True,
            starts_on__lte=on,
            ends_on__gte=on,
        )
        .select_related("delegator__user")
        .first()
    )
    if delegation is not None:
        return (
            f"Delegate of the {title} ({delegation.delegator.user}), "
            f"{delegation.starts_on:%d %b %Y} to {delegation.ends_on:%d %b %Y}"
        )
    return None


def ladder_of(recommendation: Recommendation) -> Ladder:
    """A recommendation is judged by the policy it was made under, even after a new version
    of the pack is loaded."""
    version = recommendation.policy_version
    if version is not None and "escalation" in version.content:
        return Ladder.of_version(version)
    return Ladder.of(recommendation.council)


def holds_post(*, council: Council, user, title: str) -> bool:
    return Membership.objects.filter(
        council=council, user=user, title=title, is_active=True
    ).exists()


def approval_of(recommendation: Recommendation, ladder: Ladder) -> Approval | None:
    if recommendation.kind == RecommendationKind.MOVE:
        move = ladder.move(recommendation.key)
        return move.approval if move else None
    exception = ladder.exception(recommendation.key)
    return exception.approval if exception else None


def step_blockers(*, recommendation: Recommendation, user, ladder: Ladder | None = None) -> list:
    """Why this person may not act on the recommendation's current step; empty when they may."""
    ladder = ladder or ladder_of(recommendation)
    approval = approval_of(recommendation, ladder)
    if recommendation.status != RecommendationStatus.PENDING:
        return [f"It is {recommendation.get_status_display().lower()}."]
    if approval is None:
        return ["The council's policy no longer has this move: it cannot be decided."]
    reasons = []
    if approval.someone_else:
        acted = {recommendation.proposed_by_id} | {s.actor_id for s in recommendation.steps.all()}
        if user.pk == recommendation.proposed_by_id:
            reasons.append("You made this recommendation: someone else must check or decide it.")
        elif user.pk in acted:
            reasons.append("You have already acted on it: someone else must take the next step.")
    if recommendation.step < len(approval.chain):
        step = approval.chain[recommendation.step]
        if step.role not in roles_in(user, recommendation.council):
            reasons.append(f"It waits for {_roles_text(recommendation.council, {step.role})}.")
        elif step.title and not holds_post(
            council=recommendation.council, user=user, title=step.title
        ):
            reasons.append(f"It waits for the {step.title}.")
    elif (
        acting_as(council=recommendation.council, user=user, approval=approval, ladder=ladder)
        is None
    ):
        reasons.append(f"It waits for the {ladder.maker_title(approval.decided_by)}.")
    return reasons


# --- validation helpers ----------------------------------------------------------------------


def _check_evidence(ladder: Ladder, required, evidence, errors: dict) -> list[dict]:
    """Evidence is a list of {kind, note, url}; every required kind must be there."""
    clean = []
    for i, item in enumerate(evidence or []):
        if not isinstance(item, dict):
            errors.setdefault("evidence", []).append(f"Item {i + 1} is not evidence.")
            continue
        kind = str(item.get("kind", "")).strip()
        note = str(item.get("note", "") or "").strip()
        url = str(item.get("url", "") or "").strip()
        if kind not in ladder.evidence_kinds and kind != OTHER_EVIDENCE:
            errors.setdefault("evidence", []).append(f"“{kind}” is not a kind of evidence here.")
            continue
        if url and not url.startswith(("https://", "http://")):
            errors.setdefault("evidence", []).append(
                "A link must be a web address starting https:// (or http://)."
            )
            continue
        if not (note or url):
            errors.setdefault("evidence", []).append(
                f"Describe or link the {ladder.evidence_label(kind).lower()}."
            )
            continue
        clean.append({"kind": kind, "note": note, "url": url})
    given = {e["kind"] for e in clean}
    missing = [k for k in required if k not in given]
    if missing and "evidence" not in errors:
        errors["evidence"] = [
            "Add the evidence this needs: "
            + ", ".join(ladder.evidence_label(k).lower() for k in missing)
            + "."
        ]
    return clean


def _check_fields(fields: tuple[Field, ...], details: dict | None, errors: dict) -> dict:
    details = details or {}
    clean: dict[str, Any] = {}
    for f in fields:
        value = details.get(f.key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if f.required:
                errors[f"details.{f.key}"] = [f"Answer “{f.label}”."]
            continue
        if f.type == "date":
            if isinstance(value, dt.date):
                value = value.isoformat()
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                errors[f"details.{f.key}"] = [f"“{f.label}” must be a date."]
                continue
        elif f.type == "boolean":
            if not isinstance(value, bool):
                errors[f"details.{f.key}"] = [f"“{f.label}” must be yes or no."]
                continue
        elif f.type == "choice" and value not in f.choices:
            errors[f"details.{f.key}"] = [f"Choose one of the answers for “{f.label}”."]
            continue
        clean[f.key] = value if not isinstance(value, str) else str(value)
    unknown = set(details) - {f.key for f in fields}
    if unknown:
        errors["details"] = ["Unknown questions: " + ", ".join(sorted(unknown)) + "."]
    return clean


# --- cases -----------------------------------------------------------------------------------


def covering(location: Location):
    """Cases that cover a location: its own, or its provider's whole-provider case."""
    return Q(location=location) | Q(location__isnull=True, provider_id=location.provider_id)


def open_case_of(*, council: Council, location: Location) -> Case | None:
    return (
        Case.objects.filter(council=council)
        .exclude(stage=Stage.CLOSED)
        .filter(covering(location))
        .select_related("location", "provider")
        .first()
    )


@transaction.atomic
def case_open(
    *,
    council: Council,
    actor,
    summary: str,
    location: Location | None = None,
    provider: Provider | None = None,
    lead_officer=None,
) -> Case:
    """Open a case at the informal stage, for one location or a whole provider (004 18.4).
    One open case per council and location at a time."""
    ladder = Ladder.of(council)
    errors: dict[str, list[str]] = {}
    if (location is None) == (provider is None):
        errors["location"] = ["Choose a location, or the whole provider."]
    elif provider is not None and not ladder.whole_provider:
        errors["provider"] = ["This council opens cases for one location at a time."]
    if not (summary or "").strip():
        errors["summary"] = ["Say why the case is being opened."]
    if lead_officer is not None and not roles_in(lead_officer, council):
        errors["lead_officer"] = ["The lead officer must work for this council."]
    if errors:
        raise ValidationFailed("The case could not be opened.", errors=errors)
    person = _person(actor)
    if actor is not None and not getattr(actor, "has_perm", lambda *a: False)(
        "concerns.open_case", council
    ):
        raise NotAllowed("You may not open a case for this council.")
    reference = _next_reference(council, Case, "CASE")  # locks the council row
    provider = provider or location.provider
    open_cases = Case.objects.filter(council=council).exclude(stage=Stage.CLOSED)
    if location is not None:
        clash = open_cases.filter(covering(location)).first()
    else:
        clash = open_cases.filter(provider=provider).first()
    if clash is not None:
        raise Conflict(
            f"{clash.reference} is already open for {clash.subject_label}: "
            "a location has one open case at a time."
        )
    try:
        with transaction.atomic():
            case = Case.objects.create(
                council=council,
                reference=reference,
                provider=provider,
                location=location,
                stage=Stage.INFORMAL,
                stage_since=timezone.now(),
                summary=summary.strip(),
                lead_officer=lead_officer or person,
                opened_by_label=_label(actor),
            )
    except IntegrityError as exc:
        raise Conflict("A case is already open for this location.") from exc
    audit_record(
        council=council,
        actor=actor,
        action="case.opened",
        summary=f"{case.reference} opened for {case.subject_label}",
        obj=case,
        reason=case.summary,
        data={"stage": case.stage},
    )
    return case


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("council__active_policy")
        .get(pk=case.pk)
    )


@transaction.atomic
def case_move(
    *,
    case: Case,
    actor,
    move: str,
    reason: str,
    evidence: list | None = None,
    details: dict | None = None,
    urgent: bool = False,
    expected_stage: str | None = None,
) -> CaseMove | Recommendation:
    """Make a move, or propose it when the pack says it needs a decision. Returns the move
    made, or the recommendation now waiting in the chain."""
    case = _lock(case)
    ladder = Ladder.of(case.council)
    found = ladder.move(move)
    if found is None:
        raise ValidationFailed("", errors={"move": ["This is not one of the council's moves."]})
    if expected_stage and case.stage != expected_stage:
        raise Conflict(
            f"{case.reference} moved to “{ladder.stage_label(case.stage)}” meanwhile: "
            "look again before moving it."
        )
    if not case.is_open or case.stage not in found.sources:
        raise Conflict(move_blockers(case=case, move=found, user=actor, ladder=ladder)[0])
    pending = Recommendation.objects.filter(
        case=case, kind=RecommendationKind.MOVE, status=RecommendationStatus.PENDING
    ).first()
    if pending is not None:
        raise Conflict(
            f"{pending.reference} ({pending.label}) waits for a decision: it is decided or "
            "withdrawn before the case moves again."
        )
    if not actor.has_perm("concerns.make_this_move", MoveAttempt(case=case, move=found)):
        raise NotAllowed(f"Only {_roles_text(case.council, found.by)} may make this move.")
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Give the reason for this move."]
    clean_evidence = _check_evidence(ladder, found.evidence, evidence, errors)
    clean_details = _check_fields(found.fields, details, errors)
    if errors:
        raise ValidationFailed("The move could not be made.", errors=errors)
    if found.approval is not None:
        return _recommend(
            council=case.council,
            actor=actor,
            kind=RecommendationKind.MOVE,
            key=found.key,
            label=found.label,
            case=case,
            provider=case.provider,
            location=case.location,
            reason=reason.strip(),
            evidence=clean_evidence,
            details=clean_details,
            urgent=urgent,
        )
    return _apply_move(
        case=case,
        move=found,
        ladder=ladder,
        actor=actor,
        reason=reason.strip(),
        evidence=clean_evidence,
        details=clean_details,
    )


def _apply_move(
    *,
    case: Case,
    move: Move,
    ladder: Ladder,
    actor,
    reason: str,
    evidence: list,
    details: dict,
    recommendation: Recommendation | None = None,
) -> CaseMove:
    """Transition the locked case and leave the move's record and effects."""
    council = case.council
    from_stage = case.stage
    transition = getattr(case, f"to_{move.to}")
    if not can_proceed(transition):
        raise Conflict(f"{case.reference} cannot move from {from_stage} to {move.to}.")
    transition()
    now = timezone.now()
    case.stage_since = now
    case.closed_at = now if move.to == Stage.CLOSED else None
    try:
        case.save()
    except ConcurrentTransition as exc:
        raise Conflict(f"{case.reference} was moved by someone else: look again.") from exc
    record = CaseMove.objects.create(
        council=council,
        case=case,
        move_key=move.key,
        label=move.label,
        from_stage=from_stage,
        to_stage=move.to,
        actor=_person(actor),
        actor_label=_label(actor),
        reason=reason,
        evidence=evidence,
        details=details,
        recommendation=recommendation,
        policy_version=council.active_policy,
    )
    CaseDeadline.objects.filter(
        case=case, status=DeadlineStatus.OPEN, ends_with_stage=True, stage=from_stage
    ).update(status=DeadlineStatus.ENDED, ended_at=now)
    effects = _apply_effects(case=case, move=move, record=record, actor=actor)
    audit_record(
        council=council,
        actor=actor,
        action="case.moved",
        summary=(
            f"{case.reference}: {ladder.stage_label(from_stage)} → {ladder.stage_label(move.to)}"
            f" ({move.label})"
        ),
        obj=case,
        reason=reason,
        data={
            "from": from_stage,
            "to": move.to,
            "move": move.key,
            "evidence": evidence,
            "effects": effects,
            "recommendation": recommendation.reference if recommendation else None,
        },
    )
    return record


def _apply_effects(*, case: Case, move: Move, record: CaseMove, actor) -> list[str]:
    """Deadlines and letter requests for the timers and notices to act on, and automatic
    reviews (003 ToR 1: "an automatic review in six months")."""
    council = case.council
    policy = Policy(council.active_policy.content)
    today = timezone.localdate()
    done = []
    for effect in move.effects:
        if effect.kind == "deadline":
            limit = policy.time_limit(effect.time_limit)
            due = due_date(today, amount=limit.amount, unit=limit.unit, calendar=policy.calendar)
            CaseDeadline.objects.create(
                council=council,
                case=case,
                move=record,
                time_limit=limit.key,
                label=effect.label or limit.label,
                seed=effect.seed or limit.seed,
                stage=move.to,
                starts_on=today,
                due_on=due,
                ends_with_stage=effect.ends_with_stage,
            )
            done.append(f"deadline {limit.key} {due.isoformat()}")
        elif effect.kind == "letter":
            LetterRequest.objects.create(
                council=council,
                case=case,
                move=record,
                letter=effect.letter,
                label=effect.label or effect.letter.replace("_", " ").capitalize(),
                seed=effect.seed,
            )
            done.append(f"letter {effect.letter}")
        elif effect.kind == "review":
            from monitoring.services import review_plan

            limit = policy.time_limit(effect.time_limit)
            when = due_date(today, amount=limit.amount, unit=limit.unit, calendar=policy.calendar)
            for location in _locations_of(case):
                review_plan(
                    council=council,
                    location=location,
                    actor=actor,
                    kind=effect.review_type,
                    planned_for=when,
                )
            done.append(f"review {effect.review_type} {when.isoformat()}")
    return done


def _locations_of(case: Case) -> list[Location]:
    if case.location_id:
        return [case.location]
    from monitoring.models import Commissioning

    ids = Commissioning.objects.filter(
        council=case.council, location__provider=case.provider
    ).values_list("location_id", flat=True)
    return list(Location.objects.filter(pk__in=ids))


# --- recommendations and decisions ------------------------------------------------------------


def _recommend(
    *,
    council: Council,
    actor,
    kind: str,
    key: str,
    label: str,
    case: Case | None,
    provider: Provider,
    location: Location | None,
    reason: str,
    evidence: list,
    details: dict,
    urgent: bool,
) -> Recommendation:
    if _person(actor) is None:
        raise NotAllowed("A recommendation is made by a person, in writing.")
    now = timezone.now()
    try:
        with transaction.atomic():
            rec = Recommendation.objects.create(
                council=council,
                reference=_next_reference(council, Recommendation, "REC"),
                kind=kind,
                key=key,
                label=label,
                case=case,
                provider=provider,
                location=location,
                from_stage=case.stage if case is not None else "",
                to_stage=(
                    Ladder.of(council).move(key).to if kind == RecommendationKind.MOVE else ""
                ),
                proposed_by=actor,
                proposed_by_label=_label(actor),
                waiting_since=now,
                reason=reason,
                evidence=evidence,
                details=details,
                urgent=urgent,
                policy_version=council.active_policy,
            )
    except IntegrityError as exc:
        raise Conflict("A recommendation on this case already waits for a decision.") from exc
    audit_record(
        council=council,
        actor=actor,
        action="recommendation.made",
        summary=f"{rec.reference}: {label} recommended"
        + (f" for {case.reference}" if case else f" for {location or provider}"),
        obj=rec,
        reason=reason,
        data={"kind": kind, "key": key, "evidence": evidence, "details": details},
    )
    return rec


@transaction.atomic
def recommendation_act(
    *,
    recommendation: Recommendation,
    actor,
    outcome: str,
    reasons: str,
    stipulation: str = "",
    urgent: bool = False,
    virtual: bool = False,
    meeting_on: dt.date | None = None,
    quorate: bool | None = None,
    expected_step: int | None = None,
) -> Recommendation:
    """One step in writing: a check in the chain (forwarded or declined, 004 18.1-18.2) or
    the decision (approved or not, 004 18.5). An approved move is made at once."""
    rec = (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("council__active_policy")
        .get(pk=recommendation.pk)
    )
    council = rec.council
    ladder = ladder_of(rec)
    if rec.status != RecommendationStatus.PENDING:
        raise Conflict(f"{rec.reference} is {rec.get_status_display().lower()}: it cannot change.")
    if expected_step is not None and expected_step != rec.step:
        raise Conflict(
            f"{rec.reference} has moved on since you opened it: someone else took that step. "
            "Look again."
        )
    approval = approval_of(rec, ladder)
    if approval is None:
        raise Conflict("The council's policy no longer has this move: it cannot be decided.")
    if _person(actor) is None:
        raise NotAllowed("A decision is taken by a person, in writing.")
    if not actor.has_perm("concerns.act_on_recommendation", rec):
        raise NotAllowed(" ".join(step_blockers(recommendation=rec, user=actor, ladder=ladder)))
    deciding = rec.step >= len(approval.chain)
    allowed = (
        (StepOutcome.APPROVED, StepOutcome.REJECTED)
        if deciding
        else (StepOutcome.FORWARDED, StepOutcome.DECLINED)
    )
    errors: dict[str, list[str]] = {}
    if outcome not in allowed:
        errors["outcome"] = ["Choose " + " or ".join(f"“{o}”" for o in allowed) + "."]
    if not (reasons or "").strip():
        errors["reasons"] = ["Give the reasons, in writing."]
    is_board = deciding and ladder.maker_is_board(approval.decided_by)
    if is_board and virtual and not urgent:
        # 003 ToR 5: "where major issues occurs requiring urgent decisions outside of regular,
        # scheduled meetings, decision-making via virtual meetings"
        errors["urgent"] = ["A Board decision is taken virtually only when it is urgent."]
    if is_board and not virtual:
        if meeting_on is None:
            errors["meeting_on"] = ["Give the date of the Board meeting that decided."]
        elif meeting_on > timezone.localdate():
            errors["meeting_on"] = ["The meeting date cannot be in the future."]
        if quorate is not True:
            # 003 ToR 5: "no decisions may be taken by the non-quorate meeting of the Board"
            errors["quorate"] = ["A Board meeting that was not quorate cannot decide."]
    if errors:
        raise ValidationFailed("The decision could not be recorded.", errors=errors)
    label = (
        f"Decision of the {ladder.maker_title(approval.decided_by)}"
        if deciding
        else approval.chain[rec.step].label
    )
    how = (
        acting_as(council=council, user=actor, approval=approval, ladder=ladder)
        if deciding
        else Policy(council.active_policy.content).role_label(approval.chain[rec.step].role)
    )
    DecisionStep.objects.create(
        council=council,
        recommendation=rec,
        position=rec.step,
        label=label,
        actor=actor,
        actor_label=_label(actor),
        acting_as=how or "",
        outcome=outcome,
        reasons=reasons.strip(),
        stipulation=(stipulation or "").strip(),
        urgent=urgent,
        virtual=virtual,
        meeting_on=meeting_on,
    )
    now = timezone.now()
    rec.waiting_since = now
    if outcome == StepOutcome.FORWARDED:
        rec.step += 1
    else:
        rec.status = {
            StepOutcome.DECLINED: RecommendationStatus.REJECTED,
            StepOutcome.REJECTED: RecommendationStatus.REJECTED,
            StepOutcome.APPROVED: RecommendationStatus.APPROVED,
        }[outcome]
        rec.decided_at, rec.decided_by, rec.decided_by_label = now, actor, _label(actor)
        rec.decision_reasons, rec.stipulation = reasons.strip(), (stipulation or "").strip()
    rec.save()
    audit_record(
        council=council,
        actor=actor,
        action=f"recommendation.{outcome}",
        summary=f"{rec.reference}: {label}: {StepOutcome(outcome).label.lower()}",
        obj=rec,
        reason=reasons.strip(),
        data={"stipulation": stipulation, "acting_as": how, "urgent": urgent, "virtual": virtual},
    )
    if outcome == StepOutcome.APPROVED and rec.kind == RecommendationKind.MOVE:
        case = _lock(rec.case)
        if case.stage != rec.from_stage:
            raise Conflict(
                f"{case.reference} has moved since this was recommended: it is now at "
                f"“{ladder.stage_label(case.stage)}”. Nothing was decided."
            )
        _apply_move(
            case=case,
            move=ladder.move(rec.key),
            ladder=ladder,
            actor=actor,
            reason=f"{rec.reason}\n\nDecision: {reasons.strip()}",
            evidence=rec.evidence,
            details=rec.details,
            recommendation=rec,
        )
    return rec


@transaction.atomic
def recommendation_withdraw(*, recommendation: Recommendation, actor, reason: str) -> None:
    rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if rec.status != RecommendationStatus.PENDING:
        raise Conflict(f"{rec.reference} is {rec.get_status_display().lower()} already.")
    if _person(actor) is None or actor.pk != rec.proposed_by_id:
        raise NotAllowed("Only the person who made a recommendation may withdraw it.")
    if not (reason or "").strip():
        raise ValidationFailed("", errors={"reason": ["Say why it is withdrawn."]})
    DecisionStep.objects.create(
        council=rec.council,
        recommendation=rec,
        position=rec.step,
        label="Withdrawn by the proposer",
        actor=actor,
        actor_label=_label(actor),
        outcome=StepOutcome.WITHDRAWN,
        reasons=reason.strip(),
    )
    rec.status, rec.waiting_since = RecommendationStatus.WITHDRAWN, timezone.now()
    rec.save(update_fields=["status", "waiting_since"])
    audit_record(
        council=rec.council,
        actor=actor,
        action="recommendation.withdrawn",
        summary=f"{rec.reference} withdrawn",
        obj=rec,
        reason=reason.strip(),
    )


@transaction.atomic
def exception_propose(
    *,
    council: Council,
    actor,
    exception: str,
    location: Location,
    reason: str,
    details: dict | None = None,
    evidence: list | None = None,
    urgent: bool = False,
) -> Recommendation:
    """An exception outside the ladder (000 5 family choice, 000 6 critical provider, 000 8
    resuming placements), decided by the decision maker the pack names."""
    ladder = Ladder.of(council)
    found = ladder.exception(exception)
    if found is None:
        raise ValidationFailed("", errors={"exception": ["This council has no such exception."]})
    if not roles_in(actor, council) & found.by:
        raise NotAllowed(f"Only {_roles_text(council, found.by)} may ask for this.")
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Give the reason, in writing."]
    clean_evidence = _check_evidence(ladder, (), evidence, errors)
    clean_details = _check_fields(found.fields, details, errors)
    if errors:
        raise ValidationFailed("The request could not be made.", errors=errors)
    return _recommend(
        council=council,
        actor=actor,
        kind=RecommendationKind.EXCEPTION,
        key=found.key,
        label=found.label,
        case=open_case_of(council=council, location=location),
        provider=location.provider,
        location=location,
        reason=reason.strip(),
        evidence=clean_evidence,
        details=clean_details,
        urgent=urgent,
    )


# --- safeguarding track ----------------------------------------------------------------------


@transaction.atomic
def safeguarding_open(*, case: Case, actor, reason: str) -> SafeguardingTrack:
    """Open the safeguarding track beside the case's stage (001 App. 3 Serious Concerns;
    003 Whole Service Concern, which in Somerset is itself a default: Key principles 2)."""
    case = _lock(case)
    ladder = Ladder.of(case.council)
    spec = ladder.safeguarding
    if spec is None:
        raise Conflict("This council's policy has no safeguarding track.")
    if not case.is_open:
        raise Conflict("The case is closed.")
    if not roles_in(actor, case) & set(spec["by"]):
        raise NotAllowed(f"Only {_roles_text(case.council, spec['by'])} may open it.")
    if not (reason or "").strip():
        raise ValidationFailed("", errors={"reason": ["Give the reason."]})
    if SafeguardingTrack.objects.filter(case=case, closed_at__isnull=True).exists():
        raise Conflict(f"A {spec['label']} is already open on {case.reference}.")
    track = SafeguardingTrack.objects.create(
        council=case.council,
        case=case,
        label=spec["label"],
        reason=reason.strip(),
        opened_by_label=_label(actor),
    )
    audit_record(
        council=case.council,
        actor=actor,
        action="safeguarding.opened",
        summary=f"{spec['label']} opened on {case.reference}",
        obj=case,
        reason=reason.strip(),
    )
    transaction.on_commit(lambda: _queue_check(case.council_id, "safeguarding", track.pk))
    return track


def _open_track(track: SafeguardingTrack, actor) -> SafeguardingTrack:
    """The track locked, still open, and the person one of the roles the pack names."""
    track = SafeguardingTrack.objects.select_for_update().select_related("case").get(pk=track.pk)
    if not track.is_open:
        raise Conflict(f"The {track.label} is closed.")
    spec = Ladder.of(track.council).safeguarding or {"by": []}
    if not roles_in(actor, track.council) & set(spec["by"]):
        raise NotAllowed(f"Only {_roles_text(track.council, spec['by'])} may do this.")
    return track


@transaction.atomic
def safeguarding_meeting_record(
    *,
    track: SafeguardingTrack,
    actor,
    held_on: dt.date,
    attendees: str,
    notes: str,
    next_meeting_on: dt.date | None = None,
) -> SafeguardingMeeting:
    errors: dict[str, list[str]] = {}
    if not isinstance(held_on, dt.date) or held_on > timezone.localdate():
        errors["held_on"] = ["The meeting date must be today or in the past."]
    if not (attendees or "").strip():
        errors["attendees"] = ["List who attended."]
    if not (notes or "").strip():
        errors["notes"] = ["Record what the meeting considered and agreed."]
    if next_meeting_on is not None and isinstance(held_on, dt.date) and next_meeting_on <= held_on:
        errors["next_meeting_on"] = ["The next meeting comes after this one."]
    if errors:
        raise ValidationFailed("The meeting could not be recorded.", errors=errors)
    track = _open_track(track, actor)
    meeting = SafeguardingMeeting.objects.create(
        council=track.council,
        track=track,
        held_on=held_on,
        attendees=attendees.strip(),
        notes=notes.strip(),
        next_meeting_on=next_meeting_on,
        recorded_by_label=_label(actor),
    )
    audit_record(
        council=track.council,
        actor=actor,
        action="safeguarding.meeting",
        summary=f"{track.label} meeting of {held_on:%d %b %Y} recorded ({track.case.reference})",
        obj=track.case,
    )
    return meeting


@transaction.atomic
def safeguarding_plan_start(*, track: SafeguardingTrack, actor, title: str, started_on: dt.date):
    """The Serious Concerns action plan (001 App. 3): the same structure as improvement plans."""
    from monitoring.models import PlanKind
    from monitoring.services import plan_create

    track = _open_track(track, actor)
    if track.plan_id:
        raise Conflict("This track already has its action plan.")
    location = track.case.location
    if location is None:
        raise ValidationFailed("", errors={"location": ["A plan is agreed for one location."]})
    plan = plan_create(
        council=track.council,
        location=location,
        actor=actor,
        kind=PlanKind.SERIOUS_CONCERNS,
        title=title,
        started_on=started_on,
    )
    track.plan = plan
    track.save(update_fields=["plan"])
    return plan


@transaction.atomic
def safeguarding_close(*, track: SafeguardingTrack, actor, reason: str) -> None:
    track = _open_track(track, actor)
    if not (reason or "").strip():
        raise ValidationFailed("", errors={"reason": ["Say why it ends."]})
    track.closed_at, track.closed_reason = timezone.now(), reason.strip()
    track.save(update_fields=["closed_at", "closed_reason"])
    audit_record(
        council=track.council,
        actor=actor,
        action="safeguarding.closed",
        summary=f"{track.label} closed on {track.case.reference}",
        obj=track.case,
        reason=reason.strip(),
    )


# --- automatic triggers ----------------------------------------------------------------------


def _queue_check(council_id: int, kind: str, object_id: int) -> None:
    """After commit: a broker that is down must not turn a saved change into an error page;
    the nightly sweep catches the cause instead."""
    from concerns.tasks import triggers_check

    try:
        triggers_check.delay(council_id, kind, object_id)
    except Exception:  # noqa: BLE001 - any broker failure
        log.exception("Could not queue the trigger check %s %s", kind, object_id)


def triggers_check_later(*, council: Council, kind: str, object_id: int) -> None:
    """Other apps call this after a change a trigger may watch (a plan review, a rating)."""
    transaction.on_commit(lambda: _queue_check(council.pk, kind, object_id))


def alert_raise(
    *,
    council: Council,
    trigger,
    cause: str,
    detail: str,
    location: Location | None,
    provider: Provider,
) -> Alert | None:
    """Raise a trigger's alert once per cause: open the case (or bring it up to the stage)
    when the pack says so, else queue it for the officers. None when already raised."""
    ladder = Ladder.of(council)
    with transaction.atomic():
        alert, created = Alert.objects.get_or_create(
            council=council,
            trigger=trigger.key,
            cause=cause,
            defaults={
                "rule": trigger.rule,
                "label": trigger.label,
                "detail": detail,
                "suggestion": trigger.suggest
                or (
                    f"Decision for the {ladder.maker_title(trigger.decided_by)}"
                    if trigger.decided_by
                    else ""
                ),
                "seed": trigger.seed,
                "location": location,
                "provider": provider,
            },
        )
        if not created:
            return None
        case = (
            open_case_of(council=council, location=location)
            if location is not None
            else Case.objects.filter(council=council, provider=provider, location__isnull=True)
            .exclude(stage=Stage.CLOSED)
            .first()
        )
        if trigger.action == "open_case":
            case = _bring_to_stage(
                council=council,
                case=case,
                location=location,
                provider=provider,
                stage=trigger.stage,
                reason=f"{trigger.label}: {detail} ({trigger.seed})",
                ladder=ladder,
            )
            alert.opened_case = case is not None
            if case is not None and case.stage == trigger.stage:
                alert.status, alert.handled_at = AlertStatus.ACTED, timezone.now()
                alert.handled_by_label = "System"
                alert.handled_note = f"{case.reference} is at “{ladder.stage_label(case.stage)}”."
        alert.case = case
        alert.save()
        audit_record(
            council=council,
            actor=None,
            action="alert.raised",
            summary=f"{trigger.label}: {location or provider}",
            obj=alert,
            reason=detail,
            data={"trigger": trigger.key, "cause": cause, "case": case.reference if case else None},
        )
    return alert


def _bring_to_stage(
    *, council, case, location, provider, stage: str, reason: str, ladder: Ladder
) -> Case | None:
    """003 Key principles: below Good "will automatically constitute a service provider
    default": open the case if none, and move it up to the stage by the pack's own move."""
    if case is None:
        subject = {"location": location} if location is not None else {"provider": provider}
        case = case_open(council=council, actor=None, summary=reason, **subject)
    if ladder.stage(stage) is None or case.stage == stage:
        return case
    if Stage.values.index(case.stage) > Stage.values.index(stage):
        return case  # already further up the ladder
    move = next((m for m in ladder.moves_from(case.stage) if m.to == stage), None)
    waiting = Recommendation.objects.filter(
        case=case, kind=RecommendationKind.MOVE, status=RecommendationStatus.PENDING
    ).exists()
    if move is None or move.approval is not None or waiting:
        return case  # a decision is needed: the alert stays in the queue for an officer
    _apply_move(
        case=_lock(case),
        move=move,
        ladder=ladder,
        actor=None,
        reason=reason,
        evidence=[],
        details={},
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def alert_handle(*, alert: Alert, actor, dismiss: bool, note: str) -> Alert:
    """An officer acts on or dismisses a queued alert, with a note."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.NEW:
        raise Conflict("This alert has been handled already.")
    if not actor.has_perm("concerns.handle_alert", alert.council):
        raise NotAllowed("You may not handle alerts for this council.")
    if not (note or "").strip():
        raise ValidationFailed("", errors={"note": ["Say what was done, or why it is dismissed."]})
    alert.status = AlertStatus.DISMISSED if dismiss else AlertStatus.ACTED
    alert.handled_at, alert.handled_by_label, alert.handled_note = (
        timezone.now(),
        _label(actor),
        note.strip(),
    )
    alert.save()
    audit_record(
        council=alert.council,
        actor=actor,
        action="alert.dismissed" if dismiss else "alert.acted",
        summary=f"{alert.label}: {alert.location or alert.provider}",
        obj=alert,
        reason=note.strip(),
    )
    return alert

"""Reads for escalation. Each takes the council explicitly and runs a constant number of
queries whatever the number of rows."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from concerns.ladder import Approval, Ladder, Move
from concerns.models import (
    Alert,
    AlertStatus,
    Case,
    CaseDeadline,
    CaseMove,
    DecisionStep,
    LetterRequest,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
    SafeguardingTrack,
    Stage,
)
from concerns.services import (  # noqa: F401 - open_case_of is a read pages use too
    DECIDING_ROLES,
    approval_of,
    covering,
    move_blockers,
    open_case_of,
)
from core.models import AuditEntry
from councils.models import Council, Delegation, Membership, Role
from councils.permissions import roles_in  # noqa: F401  (pages use it through selectors)


@dataclass
class CaseFilters:
    stage: str = ""
    q: str = ""
    open_only: bool = True
    mine: bool = False


def case_list(*, council: Council, filters: CaseFilters, user=None) -> QuerySet:
    qs = Case.objects.filter(council=council).select_related("location", "provider", "lead_officer")
    if filters.open_only:
        qs = qs.exclude(stage=Stage.CLOSED)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(location__name__icontains=q)
            | Q(provider__name__icontains=q)
            | Q(location__postcode__iexact=q)
        )
    if filters.mine and user is not None:
        qs = qs.filter(lead_officer=user)
    return qs.order_by("-stage_since", "-id")


def stage_counts(*, council: Council) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        Case.objects.filter(council=council)
        .exclude(stage=Stage.CLOSED)
        .values("stage")
        .annotate(n=Count("id"))
    )
    return {r["stage"]: r["n"] for r in rows}


def case_detail(*, council: Council, pk: int) -> Case:
    return (
        Case.objects.filter(council=council)
        .select_related("council__active_policy", "location", "provider", "lead_officer")
        .get(pk=pk)
    )


@dataclass
class MoveOption:
    move: Move
    blockers: list[str]
    needs_decision: str = ""

    @property
    def open(self) -> bool:
        return not self.blockers


def move_options(*, case: Case, user, ladder: Ladder | None = None) -> list[MoveOption]:
    """The moves from the case's stage, each with why this person may not make it now."""
    ladder = ladder or Ladder.of(case.council)
    pending = pending_move(case=case)
    options = []
    for move in ladder.moves_from(case.stage) if case.is_open else []:
        blockers = move_blockers(case=case, move=move, user=user, ladder=ladder)
        if pending is not None:
            blockers.append(f"{pending.reference} ({pending.label}) waits for a decision.")
        needs = ""
        if move.approval:
            needs = f"Decided by the {ladder.maker_title(move.approval.decided_by)}"
            if move.approval.chain:
                needs += " after " + ", then ".join(s.label for s in move.approval.chain)
        options.append(MoveOption(move=move, blockers=blockers, needs_decision=needs))
    return options


def pending_move(*, case: Case) -> Recommendation | None:
    return Recommendation.objects.filter(
        case=case, kind=RecommendationKind.MOVE, status=RecommendationStatus.PENDING
    ).first()


def case_record(*, case: Case) -> dict:
    """Everything on the case page below the ladder: moves, decisions, deadlines, letters,
    safeguarding and the audit entries (a fixed number of queries)."""
    moves = list(CaseMove.objects.filter(case=case).select_related("recommendation"))
    recommendations = list(
        Recommendation.objects.filter(case=case)
        .prefetch_related(Prefetch("steps", queryset=DecisionStep.objects.order_by("at", "id")))
        .order_by("-proposed_at", "-id")
    )
    tracks = list(
        SafeguardingTrack.objects.filter(case=case)
        .select_related("plan")
        .prefetch_related("meetings")
        .order_by("-opened_at")
    )
    return {
        "moves": moves,
        "recommendations": recommendations,
        "deadlines": list(CaseDeadline.objects.filter(case=case)),
        "letters": list(LetterRequest.objects.filter(case=case)),
        "tracks": tracks,
        "audit": list(
            AuditEntry.objects.filter(
                council=case.council,
                object_type__in=["concerns.case", "concerns.recommendation"],
                object_id__in=[str(case.pk), *[str(r.pk) for r in recommendations]],
            )
            .select_related("policy_version")
            .defer("policy_version__content", "policy_version__source_text")
        ),
    }


def ladder_diagram(*, case: Case | None, ladder: Ladder) -> list[dict]:
    """The council's stages lowest first, each with the moves up and down from it."""
    rows = []
    for stage in ladder.stages:
        moves = ladder.moves_from(stage.key)
        rows.append(
            {
                "stage": stage,
                "current": case is not None and case.stage == stage.key,
                "up": [m for m in moves if m.is_up],
                "down": [m for m in moves if not m.is_up],
            }
        )
    return rows


# --- the decision maker's inbox ---------------------------------------------------------------


@dataclass
class Acting:
    """What a person may do in a council today, loaded once (three queries)."""

    roles: set[str]
    titles: set[str] = field(default_factory=set)  # posts held with a deciding role
    posts: set[str] = field(default_factory=set)  # every post held (chain steps by title)
    delegated: dict[str, Delegation] = field(default_factory=dict)


def acting_context(*, council: Council, user, on: dt.date | None = None) -> Acting:
    on = on or timezone.localdate()
    roles = roles_in(user, council)
    if getattr(user, "token", None) is not None:
        return Acting(roles=set())  # systems take no decisions
    held = list(
        Membership.objects.filter(council=council, user=user, is_active=True)
        .exclude(title="")
        .values_list("title", "role")
    )
    titles = {title for title, role in held if role in DECIDING_ROLES}
    delegated = {
        d.delegator.title: d
        for d in Delegation.objects.filter(
            council=council,
            delegate=user,
            revoked_at__isnull=True,
            starts_on__lte=on,
            ends_on__gte=on,
            delegator__is_active=True,
        ).select_related("delegator__user")
    }
    return Acting(roles=roles, titles=titles, posts={t for t, _ in held}, delegated=delegated)


def _may_act(rec: Recommendation, approval: Approval, ladder: Ladder, user, acting: Acting):
    if approval.someone_else and (
        user.pk == rec.proposed_by_id or any(s.actor_id == user.pk for s in rec.steps.all())
    ):
        return False
    if rec.step < len(approval.chain):
        step = approval.chain[rec.step]
        return step.role in acting.roles and (not step.title or step.title in acting.posts)
    title = ladder.maker_title(approval.decided_by)
    if ladder.maker_is_board(approval.decided_by):
        return Role.DECISION_MAKER in acting.roles
    return title in acting.titles or title in acting.delegated


@dataclass
class InboxItem:
    recommendation: Recommendation
    awaiting: str
    waited: dt.timedelta

    @property
    def waited_days(self) -> int:
        return self.waited.days


def pending_recommendations(*, council: Council) -> QuerySet:
    return (
        Recommendation.objects.filter(council=council, status=RecommendationStatus.PENDING)
        .select_related(
            "case__location",
            "case__provider",
            "location",
            "provider",
            "proposed_by",
        )
        .prefetch_related("steps")
        .order_by("waiting_since", "id")
    )


def awaiting_label(rec: Recommendation, ladder: Ladder) -> str:
    approval = approval_of(rec, ladder)
    if approval is None:
        return "Cannot be decided: the policy no longer has this move"
    if rec.step < len(approval.chain):
        return approval.chain[rec.step].label
    return f"Decision of the {ladder.maker_title(approval.decided_by)}"


def inbox(*, council: Council, user) -> list[InboxItem]:
    """What waits for this person, oldest first, with how long it has waited."""
    acting = acting_context(council=council, user=user)
    now = timezone.now()
    items = []
    pending = list(pending_recommendations(council=council))
    ladders = Ladder.for_versions(r.policy_version_id for r in pending)
    for rec in pending:
        ladder = ladders.get(rec.policy_version_id) or Ladder.of(council)
        approval = approval_of(rec, ladder)
        if approval is None or not _may_act(rec, approval, ladder, user, acting):
            continue
        items.append(
            InboxItem(
                recommendation=rec,
                awaiting=awaiting_label(rec, ladder),
                waited=now - rec.waiting_since,
            )
        )
    return items


def my_recommendations(*, council: Council, user) -> QuerySet:
    return pending_recommendations(council=council).filter(proposed_by=user)


def alerts(*, council: Council, status: str = AlertStatus.NEW) -> QuerySet:
    qs = Alert.objects.filter(council=council).select_related("location", "provider", "case")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def case_timeline_entries(*, council: Council, location) -> list[dict]:
    """Case events for a location's timeline: openings, moves and decisions (the audit log,
    which is what was recorded when they happened)."""
    cases = list(
        Case.objects.filter(council=council).filter(covering(location)).values_list("pk", flat=True)
    )
    if not cases:
        return []
    recs = list(Recommendation.objects.filter(case_id__in=cases).values_list("pk", flat=True))
    entries = AuditEntry.objects.filter(council=council).filter(
        Q(object_type="concerns.case", object_id__in=[str(c) for c in cases])
        | Q(object_type="concerns.recommendation", object_id__in=[str(r) for r in recs])
    )
    return list(entries.order_by("-at", "-id"))


def exception_prefill(*, council: Council, location) -> dict[str, str]:
    """Answers the app knows for an exception's form (000 Appendix 2: CQC report date and
    ratings, the council's RAG, safeguarding enquiries, the action plan)."""
    from monitoring.models import ImprovementPlan, Intelligence, Outcome, RiskRating, Source
    from providers.models import Rating

    out: dict[str, str] = {}
    rating = Rating.objects.filter(location=location).order_by("-report_date", "-id").first()
    if rating is not None:
        out["cqc_report_date"] = rating.report_date.isoformat()
        kq = ", ".join(f"{label} {value}" for label, value in rating.key_questions if value)
        out["cqc_ratings"] = f"Overall {rating.overall}" + (f"; {kq}" if kq else "")
    risk = RiskRating.objects.filter(council=council, location=location).first()
    if risk is not None:
        out["rag"] = risk.get_rag_display()
    enquiries = Intelligence.objects.filter(
        council=council,
        location=location,
        source=Source.SAFEGUARDING_ENQUIRY,
        outcome__in=[Outcome.OPEN, Outcome.UNDER_ENQUIRY],
    ).count()
    out["safeguarding_status"] = (
        f"{enquiries} open safeguarding enquir{'y' if enquiries == 1 else 'ies'}"
        if enquiries
        else "No open safeguarding enquiries"
    )
    plan = (
        ImprovementPlan.objects.filter(council=council, location=location)
        .order_by("-started_on")
        .first()
    )
    if plan is not None:
        out["plan_status"] = f"“{plan.title}”: {plan.get_status_display().lower()}"
    return out

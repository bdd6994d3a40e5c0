"""Reads for escalation, for pages and the API alike. Each takes the council explicitly and
runs a constant number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from concerns.models import (
    Alert,
    AlertStatus,
    Case,
    CaseMove,
    LetterRequest,
    SafeguardingTrack,
    Stage,
)
from concerns.pack import Ladder, Move
from concerns.permissions import move_blockers
from core.models import AuditEntry
from core.timers import timers_of
from councils.models import Council
from decisions.models import Recommendation, Status
from decisions.selectors import recommendations_about, subject_q
from monitoring.selectors import location_facts
from providers.models import Location

# Audit entries about recommendations: written as decisions' since they moved there, as
# concerns' before (the audit log is append-only, so old entries keep their type).
RECOMMENDATION_TYPES = ("decisions.recommendation", "concerns.recommendation")


def covering(location: Location) -> Q:
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


@dataclass
class CaseFilters:
    stage: str = ""
    q: str = ""
    open_only: bool = True
    mine: bool = False
    unassigned: bool = False


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
    if filters.unassigned:
        qs = qs.filter(lead_officer__isnull=True)
    return qs.order_by("-stage_since", "-id")


def unassigned_count(*, council: Council) -> int:
    """Open cases with no lead officer (for the managers' start page)."""
    return (
        Case.objects.filter(council=council, lead_officer__isnull=True)
        .exclude(stage=Stage.CLOSED)
        .count()
    )


def new_alerts_count(*, council: Council) -> int:
    return Alert.objects.filter(council=council, status=AlertStatus.NEW).count()


def stage_counts(*, council: Council) -> dict[str, int]:
    rows = (
        Case.objects.filter(council=council)
        .exclude(stage=Stage.CLOSED)
        .values("stage")
        .annotate(n=Count("id"))
    )
    return {r["stage"]: r["n"] for r in rows}


def case_detail(*, council: Council, pk: int) -> Case:
    return cases_with_record(council=council).get(pk=pk)


def cases_with_record(*, council: Council, moves: bool = False) -> QuerySet:
    """Cases as one case's page and the API's case show them; `moves`: with their moves and
    letters (two queries more, whatever their number)."""
    qs = Case.objects.filter(council=council).select_related(
        "council__active_policy", "location", "provider", "lead_officer"
    )
    if moves:
        records = CaseMove.objects.select_related("recommendation", "policy_version").defer(
            "policy_version__content", "policy_version__source_text"
        )
        qs = qs.prefetch_related(Prefetch("moves", queryset=records), "letters")
    return qs


def safeguarding_tracks(*, council: Council) -> QuerySet:
    return (
        SafeguardingTrack.objects.filter(council=council)
        .select_related("case__location", "case__provider", "plan")
        .prefetch_related("meetings")
    )


def pending_move(*, case: Case) -> Recommendation | None:
    """The move on this case waiting for a decision, if any (one at a time)."""
    return (
        Recommendation.objects.filter(subject_q(case), kind="move", status=Status.PENDING)
        .select_related("policy_version")
        .first()
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
        needs = move.approval.describe(ladder.policy) if move.approval else ""
        options.append(MoveOption(move=move, blockers=blockers, needs_decision=needs))
    return options


def case_recommendations_q(case: Case) -> Q:
    """A case's recommendations: its moves, and exceptions asked while it was open."""
    return subject_q(case) | Q(kind="exception", proposal__case=case.pk)


def case_record(*, case: Case) -> dict:
    """Everything on the case page below the ladder: moves, decisions, time limits, letters,
    safeguarding and the audit entries (a fixed number of queries)."""
    moves = list(CaseMove.objects.filter(case=case).select_related("recommendation"))
    recommendations = list(
        recommendations_about(council=case.council, subjects=case_recommendations_q(case))
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
        "timers": list(timers_of(council=case.council, subject=case)),
        "letters": list(LetterRequest.objects.filter(case=case)),
        "tracks": tracks,
        "audit": list(
            AuditEntry.objects.filter(
                Q(object_type="concerns.case", object_id=str(case.pk))
                | Q(
                    object_type__in=RECOMMENDATION_TYPES,
                    object_id__in=[str(r.pk) for r in recommendations],
                ),
                council=case.council,
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


def alerts(
    *, council: Council, status: str = AlertStatus.NEW, rule: str = "", q: str = ""
) -> QuerySet:
    qs = Alert.objects.filter(council=council).select_related("location", "provider", "case")
    if status:
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(label=rule)
    if q:
        qs = qs.filter(Q(location__name__icontains=q) | Q(provider__name__icontains=q))
    return qs.order_by("-created_at", "-id")


def alerts_by_location(qs: QuerySet) -> QuerySet:
    """The same alerts grouped: by location (a provider's own ones last), those from one
    cause (a rating change) together, newest first within."""
    return qs.order_by(
        "location__name", "location_id", "provider__name", "-created_at", "cause", "id"
    )


def alert_rules(*, council: Council) -> list[str]:
    """The rules that have raised alerts here, for the filter."""
    return list(
        Alert.objects.filter(council=council)
        .order_by("label")
        .values_list("label", flat=True)
        .distinct()[:50]
    )


def case_timeline_entries(*, council: Council, location, limit: int = 200) -> list[AuditEntry]:
    """Case events for a location's timeline: openings, moves and decisions (the audit log,
    which is what was recorded when they happened)."""
    cases = list(
        Case.objects.filter(council=council).filter(covering(location)).values_list("pk", flat=True)
    )
    if not cases:
        return []
    recs = list(
        Recommendation.objects.filter(
            council=council, subject_type="concerns.case", subject_id__in=[str(c) for c in cases]
        ).values_list("pk", flat=True)
    )
    entries = AuditEntry.objects.filter(council=council).filter(
        Q(object_type="concerns.case", object_id__in=[str(c) for c in cases])
        | Q(object_type__in=RECOMMENDATION_TYPES, object_id__in=[str(r) for r in recs])
    )
    return list(entries.order_by("-at", "-id")[:limit])


def exception_prefill(*, council: Council, location) -> dict[str, str]:
    """Answers the app knows for an exception's form (000 Appendix 2: CQC report date and
    ratings, the council's RAG, safeguarding enquiries, the action plan)."""
    return location_facts(council=council, location=location)

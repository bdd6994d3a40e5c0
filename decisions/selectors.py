"""Reads for decisions, for pages and the API alike. Each takes the council explicitly and runs
a fixed number of queries whatever the number of recommendations: the inbox is one filtered,
paged query (the step each recommendation waits for is kept on its row)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.views import id_url
from councils.models import Council
from councils.policy import Policy
from decisions.chain import DECIDERS, Acting, Waiting, acting_context, awaiting_q, step_blockers
from decisions.models import DecisionStep, EvidenceFile, Recommendation, Status
from decisions.questions import EvidenceKind, evidence_label
from decisions.registry import KINDS, SubjectView, approval_of, policy_of_recommendation


def _base(council: Council) -> QuerySet:
    return Recommendation.objects.filter(council=council).select_related(
        "provider", "location", "proposed_by"
    )


# What a list of recommendations shows (the inbox, my own): not the reasons, evidence and
# answers, which only the recommendation's own page and the API need.
LISTED = (
    "id",
    "council_id",
    "reference",
    "kind",
    "key",
    "label",
    "subject_type",
    "subject_id",
    "proposal",
    "provider_id",
    "location_id",
    "status",
    "step",
    "urgent",
    "awaiting_label",
    "proposed_by_id",
    "proposed_by_label",
    "waiting_since",
)


def listed(recs: QuerySet) -> QuerySet:
    """Only what a list shows."""
    return recs.only(*LISTED)


def inbox(*, council: Council, user, acting: Acting | None = None) -> QuerySet:
    """What waits for this person, oldest first (with how long: `waiting_since`): one query,
    paged by the database."""
    acting = acting or acting_context(council=council, user=user)
    return Recommendation.objects.filter(awaiting_q(acting), council=council).order_by(
        "waiting_since", "id"
    )


def my_waiting(*, council: Council, user) -> QuerySet:
    """This person's own recommendations still waiting for others."""
    return Recommendation.objects.filter(
        council=council, status=Status.PENDING, proposed_by=user
    ).order_by("waiting_since", "id")


def recommendations(*, council: Council, status: str = "", mine_only_for=None) -> QuerySet:
    qs = _base(council).prefetch_related(
        Prefetch("steps", queryset=DecisionStep.objects.order_by("at", "id"))
    )
    if status in Status.values:
        qs = qs.filter(status=status)
    if mine_only_for is not None:
        qs = qs.filter(proposed_by=mine_only_for)
    return qs.order_by("waiting_since", "id")


def recommendations_about(*, council: Council, subjects: Q) -> QuerySet:
    """Recommendations whose subject matches (`Q(subject_type=..., subject_id=...)`), newest
    first, with their steps."""
    return (
        Recommendation.objects.filter(subjects, council=council)
        .prefetch_related(Prefetch("steps", queryset=DecisionStep.objects.order_by("at", "id")))
        .order_by("-proposed_at", "-id")
    )


def subject_q(obj) -> Q:
    return Q(subject_type=obj._meta.label_lower, subject_id=str(obj.pk))


def with_subjects(recs) -> list[Recommendation]:
    """Each recommendation with `subject_view` (how its subject is shown, one call per kind)
    and `page_url`."""
    recs = list(recs)
    page = id_url("recommendation-detail")
    for rec in recs:
        rec.page_url = page(rec.pk)
    by_kind: dict[str, list[Recommendation]] = {}
    for rec in recs:
        by_kind.setdefault(rec.kind, []).append(rec)
    for name, group in by_kind.items():
        kind = KINDS.get(name)
        views = kind.describe(group) if kind else {}
        for rec in group:
            rec.subject_view = views.get(rec.pk) or SubjectView(label=rec.label)
    return recs


def recommendation_detail(*, council: Council, pk: int, user, see_all: bool) -> Recommendation:
    """One recommendation with its steps; someone who may not see every recommendation sees
    only their own (404 for the rest)."""
    qs = recommendations(council=council, mine_only_for=None if see_all else user).select_related(
        "council__active_policy", "policy_version", "location", "provider"
    )
    return qs.get(pk=pk)


@dataclass
class RecommendationView:
    """What the recommendation page shows beside the row: the chain, the answers, the
    evidence in the council's words, and why this person may not act (if not)."""

    policy: Policy
    approval: object
    awaiting: str
    blockers: list[str]
    deciding: bool
    asks: tuple[str, ...]
    answers: list[tuple[str, object]]
    evidence: list[dict]
    maker_title: str
    decision_questions: tuple = ()
    decision_answers: list[tuple[str, object]] = ()
    choices: dict = field(default_factory=dict)


def recommendation_view(*, rec: Recommendation, user) -> RecommendationView:
    policy = policy_of_recommendation(rec)
    kind = KINDS.get(rec.kind)
    approval = approval_of(rec, policy)
    waiting = Waiting.of(rec)
    steps = list(rec.steps.all())
    acting = acting_context(council=rec.council, user=user)
    blockers = step_blockers(rec=rec, acting=acting, policy=policy, steps=steps)
    if rec.is_pending and approval is None:
        blockers = ["The council's policy no longer has this: it cannot be decided."]
    questions = kind.questions(rec, policy) if kind else ()
    kinds: dict[str, EvidenceKind] = kind.evidence_kinds(policy) if kind else {}
    decider = DECIDERS.get(waiting.decider)
    return RecommendationView(
        policy=policy,
        approval=approval,
        awaiting=waiting.label if rec.is_pending else "",
        blockers=blockers,
        deciding=waiting.deciding,
        asks=decider.asks if (decider and waiting.deciding) else (),
        choices={name: decider.choices(name, rec=rec) for name in decider.asks}
        if (decider and waiting.deciding and rec.is_pending)
        else {},
        answers=[(f.label, f.shown(rec.details[f.key])) for f in questions if f.key in rec.details],
        evidence=[{**e, "label": evidence_label(kinds, e["kind"])} for e in rec.evidence],
        maker_title=policy.maker(approval.decided_by).title if approval else "",
        decision_questions=(
            kind.decision_questions(rec, policy) if kind and waiting.deciding else ()
        ),
        decision_answers=[
            (f.label, f.shown(rec.decision_details[f.key]))
            for f in (kind.decision_questions(rec, policy) if kind else ())
            if f.key in rec.decision_details
        ],
    )


def waited_days(rec: Recommendation) -> int:
    return (timezone.now() - rec.waiting_since).days


def blockers(*, recommendation: Recommendation, user) -> list[str]:
    """Why this person may not take the recommendation's current step now (empty when they
    may): the chain's one rule, with what it needs loaded (`decisions.take_step`)."""
    return step_blockers(
        rec=recommendation,
        acting=acting_context(council=recommendation.council, user=user),
        policy=policy_of_recommendation(recommendation),
    )


def evidence_files(*, council, user) -> QuerySet:
    """The evidence files this person may open: every one of the council's for those who
    see every recommendation (its evidence is on the recommendation's page), else only those
    they gave themselves. Another council's, or one they may not see, is not found."""
    rows = EvidenceFile.objects.filter(council=council)
    if not user.has_perm("decisions.view_all", council):
        rows = rows.filter(uploaded_by_id=getattr(user, "pk", None) or 0)
    return rows


def evidence_file(*, council, user, pk: int):
    return evidence_files(council=council, user=user).filter(pk=pk).first()

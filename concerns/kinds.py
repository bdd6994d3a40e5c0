"""What concerns puts to the decision chain (`decisions.registry`): a move on a case's ladder
that needs a decision (004 18: a restriction; 003: the Board's notices), and an exception
outside the ladder (000 5, 6 and 8). Registered in `ConcernsConfig.ready`."""

from __future__ import annotations

from concerns.models import Case
from concerns.pack import Ladder
from concerns.services.cases import apply_move, case_lock
from core.errors import Conflict
from core.views import id_url
from councils.permissions import roles_in
from councils.policy import Policy
from decisions.models import Recommendation, Status
from decisions.registry import SubjectKind, SubjectView, subject_kind
from providers.models import Location


def _ladder(policy: Policy) -> Ladder | None:
    return policy.section("escalation") if policy.has("escalation") else None


def _move(rec: Recommendation, policy: Policy):
    ladder = _ladder(policy)
    return ladder.move(rec.key) if ladder else None


def _exception(rec: Recommendation, policy: Policy):
    ladder = _ladder(policy)
    return ladder.exception(rec.key) if ladder else None


def _evidence_kinds(policy: Policy) -> dict:
    ladder = _ladder(policy)
    return ladder.evidence_kinds if ladder else {}


def _describe_cases(recs: list[Recommendation]) -> dict[int, SubjectView]:
    """Each case's reference and what it covers (one query; no model is built)."""
    rows = (
        Case.objects.filter(pk__in={int(r.subject_id) for r in recs})
        .order_by()
        .values_list("pk", "reference", "location__name", "provider__name")
    )
    url = id_url("case-detail")
    views = {
        str(pk): SubjectView(
            label=location or f"{provider} (all services)",
            reference=reference,
            url=url(pk),
        )
        for pk, reference, location, provider in rows
    }
    return {r.pk: views[r.subject_id] for r in recs if r.subject_id in views}


def _describe_locations(recs: list[Recommendation]) -> dict[int, SubjectView]:
    """An exception is about a location, asked while the case that is named, if any, was open
    (two queries)."""
    references = dict(
        Case.objects.filter(pk__in={r.proposal.get("case") for r in recs} - {None}).values_list(
            "pk", "reference"
        )
    )
    names = dict(
        Location.objects.filter(pk__in={r.location_id for r in recs}).values_list("pk", "name")
    )
    url = id_url("location-detail")
    return {
        r.pk: SubjectView(
            label=names.get(r.location_id, ""),
            reference=references.get(r.proposal.get("case"), ""),
            url=url(r.location_id) if r.location_id else "",
        )
        for r in recs
    }


def _may_propose(key_of):
    def may_propose(user, council, key) -> list[str]:
        ladder = Ladder.of(council)
        found = key_of(ladder, key)
        if found is None:
            return ["The council's policy has no such thing."]
        if not roles_in(user, council) & found.by:
            return [f"Only {ladder.policy.roles_text(found.by)} may ask for this."]
        return []

    return may_propose


def _move_decided(*, rec: Recommendation, outcome: str, actor, on) -> None:
    """An approved move is made at once, counting its time limits from the decision's day;
    refused with 409 (and nothing decided) if the case moved meanwhile."""
    if outcome != Status.APPROVED:
        return
    case = case_lock(int(rec.subject_id))
    ladder = (
        Ladder.of_version(rec.policy_version) if rec.policy_version_id else Ladder.of(case.council)
    )
    if case.stage != rec.subject_state:
        raise Conflict(
            f"{case.reference} has moved since this was recommended: it is now at "
            f"“{ladder.stage_label(case.stage)}”. Nothing was decided."
        )
    apply_move(
        case=case,
        move=ladder.move(rec.key),
        ladder=ladder,
        actor=actor,
        reason=f"{rec.reason}\n\nDecision: {rec.decision_reasons}",
        evidence=rec.evidence,
        details=rec.details,
        recommendation=rec,
        on=on,
    )


MOVE = SubjectKind(
    name="move",
    label="Move on the ladder",
    approval=lambda rec, policy: m.approval if (m := _move(rec, policy)) else None,
    describe=_describe_cases,
    may_propose=_may_propose(lambda ladder, key: ladder.move(key)),
    questions=lambda rec, policy: m.fields if (m := _move(rec, policy)) else (),
    evidence_kinds=_evidence_kinds,
    on_decided=_move_decided,
)

EXCEPTION = SubjectKind(
    name="exception",
    label="Exception",
    approval=lambda rec, policy: x.approval if (x := _exception(rec, policy)) else None,
    describe=_describe_locations,
    may_propose=_may_propose(lambda ladder, key: ladder.exception(key)),
    questions=lambda rec, policy: x.fields if (x := _exception(rec, policy)) else (),
    evidence_kinds=_evidence_kinds,
)


def register() -> None:
    subject_kind(MOVE)
    subject_kind(EXCEPTION)

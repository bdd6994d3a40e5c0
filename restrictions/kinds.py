"""What restrictions put to the decision chain (`decisions.registry`): a restriction proposed
(004 18.1-18.5), a change of its level or its lifting (004 20.4-20.5), and a provider's appeal
(004 19.2). Registered in `RestrictionsConfig.ready`."""

from __future__ import annotations

from core.views import id_url
from councils.permissions import roles_in
from councils.policy import Policy
from decisions.models import Recommendation
from decisions.questions import Field
from decisions.registry import SubjectKind, SubjectView, subject_kind
from restrictions.models import Appeal, Restriction
from restrictions.pack import Restrictions
from restrictions.services.appeals import appeal_approval, appeal_decided
from restrictions.services.common import THIS_SERVICE, WHOLE_PROVIDER
from restrictions.services.decided import change_decided, restriction_decided


def _pack(policy: Policy) -> Restrictions | None:
    return policy.section("restrictions") if policy.has("restrictions") else None


def _action(name_of):
    def approval(rec: Recommendation, policy: Policy):
        pack = _pack(policy)
        return pack.action(name_of(rec)).approval if pack else None

    return approval


def _questions(name_of):
    def questions(rec: Recommendation, policy: Policy):
        pack = _pack(policy)
        return pack.action(name_of(rec)).fields if pack else ()

    return questions


def _evidence_kinds(policy: Policy) -> dict:
    pack = _pack(policy)
    return pack.evidence_kinds if pack else {}


def _describe_restrictions(recs: list[Recommendation]) -> dict[int, SubjectView]:
    rows = (
        Restriction.objects.filter(pk__in={int(r.subject_id) for r in recs})
        .order_by()
        .values_list("pk", "reference", "location__name", "provider__name")
    )
    url = id_url("restriction-detail")
    views = {
        str(pk): SubjectView(
            label=location or f"{provider} (all services)", reference=reference, url=url(pk)
        )
        for pk, reference, location, provider in rows
    }
    return {r.pk: views[r.subject_id] for r in recs if r.subject_id in views}


def _describe_appeals(recs: list[Recommendation]) -> dict[int, SubjectView]:
    rows = (
        Appeal.objects.filter(pk__in={int(r.subject_id) for r in recs})
        .order_by()
        .values_list(
            "pk",
            "reference",
            "restriction_id",
            "restriction__location__name",
            "restriction__provider__name",
        )
    )
    url = id_url("restriction-detail")
    views = {
        str(pk): SubjectView(
            label=location or f"{provider} (all services)", reference=reference, url=url(rid)
        )
        for pk, reference, rid, location, provider in rows
    }
    return {r.pk: views[r.subject_id] for r in recs if r.subject_id in views}


def _may(name_of_key):
    def may_propose(user, council, key) -> list[str]:
        pack = Restrictions.of(council)
        action = pack.action(name_of_key(key))
        if not roles_in(user, council) & action.by:
            return [f"Only {pack.policy.roles_text(action.by)} may ask for this."]
        return []

    return may_propose


def _scope_question(rec: Recommendation, policy: Policy) -> tuple[Field, ...]:
    """004 18.4: "If the Provider operates more than one service, the Head of Commissioning
    will consider whether the restriction or termination should apply to those other
    services also"."""
    pack = _pack(policy)
    if pack is None or not pack.whole_provider or rec.location_id is None:
        return ()
    return (
        Field(
            key="scope",
            label="Apply it to",
            type="choice",
            required=True,
            choices=(THIS_SERVICE, WHOLE_PROVIDER),
            hint="004 18.4: whether the restriction should apply to the provider's other "
            "services also.",
            seed="004 18.4",
        ),
    )


def _appeal_may(user, council, key) -> list[str]:
    pack = Restrictions.of(council)
    if pack.appeals is None:
        return ["The council's policy has no appeals."]
    if not roles_in(user, council) & pack.appeals.by:
        return [f"Only {pack.policy.roles_text(pack.appeals.by)} record appeals."]
    return []


RESTRICTION = SubjectKind(
    name="restriction",
    label="Restriction on placements",
    approval=_action(lambda rec: "impose"),
    describe=_describe_restrictions,
    may_propose=_may(lambda key: "impose"),
    questions=_questions(lambda rec: "impose"),
    evidence_kinds=_evidence_kinds,
    on_decided=restriction_decided,
    decision_questions=_scope_question,
)

CHANGE = SubjectKind(
    name="restriction_change",
    label="Change or lifting of a restriction",
    approval=_action(lambda rec: rec.key),
    describe=_describe_restrictions,
    may_propose=_may(lambda key: key),
    questions=_questions(lambda rec: rec.key),
    evidence_kinds=_evidence_kinds,
    on_decided=change_decided,
)

APPEAL = SubjectKind(
    name="appeal",
    label="Appeal against a restriction",
    approval=lambda rec, policy: (
        appeal_approval(p.appeals) if (p := _pack(policy)) and p.appeals else None
    ),
    describe=_describe_appeals,
    may_propose=_appeal_may,
    evidence_kinds=_evidence_kinds,
    on_decided=appeal_decided,
)


def register() -> None:
    subject_kind(RESTRICTION)
    subject_kind(CHANGE)
    subject_kind(APPEAL)

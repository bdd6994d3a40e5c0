"""Subject kinds: what a recommendation can be about. An app registers each of its kinds in its
`ready()` (concerns: a move on a case's ladder, a Bromley exception; next: a restriction, a
lifting, an appeal), saying what it is, who may propose it, the chain it goes through under a
policy version, the questions and evidence it carries, how to show its subject, and what
happens when it is decided. The chain, the inbox, the pages and the API then work for it
unchanged (tests/decisions/ proves it with a kind that exists only in the tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from councils.policy import Policy, policy_of, policy_of_version
from decisions.chain import Approval
from decisions.models import Recommendation
from decisions.questions import EvidenceKind, Field


@dataclass(frozen=True)
class SubjectView:
    """How a recommendation's subject is shown: "CASE-2026-0001: Willow Gardens"."""

    label: str
    reference: str = ""
    url: str = ""

    @property
    def text(self) -> str:
        return f"{self.reference}: {self.label}" if self.reference else self.label

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class SubjectKind:
    """`approval(rec, policy)`: the chain under the recommendation's policy version (None when
    that version has no such thing). `may_propose(user, council, key)`: why this person may not
    propose it (empty when they may). `describe(recs)`: {pk: SubjectView} for many at once, in
    a fixed number of queries. `on_decided(rec=, outcome=, actor=, on=)`: runs inside the
    decision's (or the withdrawal's) transaction (an approved move is made; raising Conflict
    undoes the decision). `decision_questions(rec, policy)`: what the decider answers when
    approving (004 18.4: whether a restriction applies to the provider's other services),
    kept in `rec.decision_details`."""

    name: str
    label: str
    approval: Callable[[Recommendation, Policy], Approval | None]
    describe: Callable[[list[Recommendation]], dict[int, SubjectView]]
    may_propose: Callable[..., list[str]] = lambda user, council, key: []
    questions: Callable[[Recommendation, Policy], tuple[Field, ...]] = lambda rec, policy: ()
    evidence_kinds: Callable[[Policy], dict[str, EvidenceKind]] = lambda policy: {}
    on_decided: Callable[..., None] | None = None
    decision_questions: Callable[[Recommendation, Policy], tuple[Field, ...]] = lambda r, p: ()


KINDS: dict[str, SubjectKind] = {}


def subject_kind(kind: SubjectKind) -> SubjectKind:
    """Register a kind; registering the same kind again (a second `ready()`) is a no-op."""
    if KINDS.get(kind.name, kind) != kind:
        raise ValueError(f"The subject kind {kind.name!r} is registered twice")
    KINDS[kind.name] = kind
    return kind


def kind_of(rec: Recommendation) -> SubjectKind | None:
    return KINDS.get(rec.kind)


def policy_of_recommendation(rec: Recommendation) -> Policy:
    """A recommendation is judged by the policy it was made under, even after a new version
    of the pack is loaded."""
    if rec.policy_version_id is not None:
        return policy_of_version(rec.policy_version)
    return policy_of(rec.council)


def approval_of(rec: Recommendation, policy: Policy | None = None) -> Approval | None:
    """The chain the recommendation goes through, under its policy version."""
    kind = kind_of(rec)
    if kind is None:
        return None
    return kind.approval(rec, policy or policy_of_recommendation(rec))

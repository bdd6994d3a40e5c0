"""The decision chain: the checks a pack names, in order, then the decider. One predicate
answers "may this person take this step now, and if not why" (`step_blockers`) for the page,
the API, the service and the inbox (`awaiting_q` is the same rule as a query).

Deciders are pluggable by the kind of decision maker the pack names: a person by post title,
or a delegate inside the delegation's dates (000 4.iv; 004 21.3), and a board (003 ToR 5).
The boards app registers its own board decider, deciding at a quorate meeting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.errors import ValidationFailed
from councils.models import Delegation, Membership, Role
from councils.permissions import roles_in
from councils.policy import Policy
from decisions.models import DecisionStep, Recommendation, Status

# A post named in a pack is held by a decision maker, or by a manager who also decides some
# things (004: the Service Manager).
DECIDING_ROLES = (Role.DECISION_MAKER, Role.MANAGER)


@dataclass(frozen=True)
class ChainStep:
    role: str
    label: str
    title: str = ""
    seed: str = ""


@dataclass(frozen=True)
class Approval:
    """What a recommendation needs: checks by the chain's roles (or posts) in order, then the
    decision of the maker the pack names (`$defs/approval`)."""

    decided_by: str
    chain: tuple[ChainStep, ...] = ()
    someone_else: bool = True
    seed: str = ""
    quote: str = ""

    @classmethod
    def from_pack(cls, data: dict | None) -> Approval | None:
        if not data:
            return None
        return cls(**{**data, "chain": tuple(ChainStep(**c) for c in data.get("chain", ()))})

    def describe(self, policy: Policy) -> str:
        """ "Decided by the Head of Commissioning after the SRM's check, then the SM's"."""
        text = f"Decided by the {policy.maker(self.decided_by).title}"
        if self.chain:
            text += " after " + ", then ".join(s.label for s in self.chain)
        return text


@dataclass(frozen=True)
class Waiting:
    """The step a recommendation waits for: a check by a role (and post), or the decision of
    a decider of some kind, with the post it names."""

    label: str
    role: str = ""
    post: str = ""
    decider: str = ""

    @property
    def deciding(self) -> bool:
        return bool(self.decider)

    @classmethod
    def of(cls, rec: Recommendation) -> Waiting:
        return cls(
            label=rec.awaiting_label,
            role=rec.awaiting_role,
            post=rec.awaiting_post,
            decider=rec.awaiting_decider,
        )


def waiting_at(approval: Approval, step: int, policy: Policy) -> Waiting:
    if step < len(approval.chain):
        check = approval.chain[step]
        return Waiting(label=check.label, role=check.role, post=check.title)
    maker = policy.maker(approval.decided_by)
    return Waiting(label=f"Decision of the {maker.title}", post=maker.title, decider=maker.kind)


def set_waiting(rec: Recommendation, waiting: Waiting | None) -> None:
    rec.awaiting_label = waiting.label if waiting else ""
    rec.awaiting_role = waiting.role if waiting else ""
    rec.awaiting_post = waiting.post if waiting else ""
    rec.awaiting_decider = waiting.decider if waiting else ""


@dataclass
class Acting:
    """What a person may do in a council on a day, loaded once (three queries): their roles,
    the posts they hold, the posts they hold with a deciding role, and the posts they stand in
    for by a delegation covering the day."""

    user_id: int | None
    roles: set[str] = field(default_factory=set)
    posts: set[str] = field(default_factory=set)
    deciding_posts: set[str] = field(default_factory=set)
    delegated: dict[str, Delegation] = field(default_factory=dict)

    @property
    def is_person(self) -> bool:
        return self.user_id is not None


def acting_context(*, council, user, on: dt.date | None = None) -> Acting:
    if not getattr(user, "is_authenticated", False) or getattr(user, "token", None) is not None:
        return Acting(user_id=None)  # systems take no decisions
    on = on or timezone.localdate()
    held = list(
        Membership.objects.filter(council=council, user=user, is_active=True)
        .exclude(title="")
        .values_list("title", "role")
    )
    delegated = {
        d.delegator.title: d
        for d in Delegation.objects.filter(
            council=council,
            delegate=user,
            revoked_at__isnull=True,
            starts_on__lte=on,
            ends_on__gte=on,
            delegator__is_active=True,
            delegator__role__in=DECIDING_ROLES,
        )
        .exclude(delegator__title="")
        .select_related("delegator__user")
    }
    return Acting(
        user_id=user.pk,
        roles=roles_in(user, council),
        posts={title for title, _ in held},
        deciding_posts={title for title, role in held if role in DECIDING_ROLES},
        delegated=delegated,
    )


# --- deciders ------------------------------------------------------------------------------


class Decider:
    """How a kind of decision maker decides. `acting_as` says in what capacity this person
    may take the decision (None: they may not); `awaiting_q` is the same rule as a query on
    waiting recommendations; `check` adds what the decision itself must show, and returns what
    the step records of it (`meeting_on`, `meeting_ref`); `choices` offers the values of a
    field it asks for (the meetings a board may decide at)."""

    kind = ""
    asks: tuple[str, ...] = ()  # extra fields the decision's form asks for

    def acting_as(self, acting: Acting, waiting: Waiting) -> str | None:
        raise NotImplementedError

    def awaiting_q(self, acting: Acting) -> Q:
        raise NotImplementedError

    def choices(self, name: str, *, rec) -> list[tuple[int, str]]:
        return []

    def check(self, *, rec, urgent, virtual, meeting=None, errors: dict) -> dict | None:
        return None


class PersonDecider(Decider):
    """The holder of the post, or a delegate on a day inside the delegation (000 4.iv: the
    Head of Assessment & Care Management in the DASS's absence; 004 21.3)."""

    kind = "person"

    def acting_as(self, acting: Acting, waiting: Waiting) -> str | None:
        if waiting.post in acting.deciding_posts:
            return waiting.post
        delegation = acting.delegated.get(waiting.post)
        if delegation is not None:
            return (
                f"Delegate of the {waiting.post} ({delegation.delegator.user}), "
                f"{delegation.starts_on:%d %b %Y} to {delegation.ends_on:%d %b %Y}"
            )
        return None

    def awaiting_q(self, acting: Acting) -> Q:
        posts = acting.deciding_posts | set(acting.delegated)
        return Q(awaiting_decider=self.kind, awaiting_post__in=sorted(posts))


class BoardDecider(Decider):
    """A board's decision, recorded by one of its decision makers, at a meeting of the board
    (003 ToR 5). The boards app replaces this with the decider that checks the meeting: held,
    quorate by its attendance, with the item on its agenda; virtual only when urgent."""

    kind = "board"
    asks = ("meeting", "virtual")

    def acting_as(self, acting: Acting, waiting: Waiting) -> str | None:
        if Role.DECISION_MAKER in acting.roles:
            return f"Decision maker of the {waiting.post}"
        return None

    def awaiting_q(self, acting: Acting) -> Q:
        if Role.DECISION_MAKER in acting.roles:
            return Q(awaiting_decider=self.kind)
        return Q(pk__in=[])

    def check(self, *, rec, urgent, virtual, meeting=None, errors: dict) -> dict | None:
        if virtual and not urgent:
            errors["urgent"] = ["A Board decision is taken virtually only when it is urgent."]
        if meeting is None:
            errors["meeting"] = ["Choose the meeting of the board that decided."]
        return None


DECIDERS: dict[str, Decider] = {}


def register_decider(decider: Decider, *, replace: bool = False) -> Decider:
    """Register the decider of a kind of decision maker (`decision_makers[].kind` in packs).
    A higher app may replace one (the boards app, the board decider)."""
    if (
        decider.kind in DECIDERS
        and not replace
        and type(DECIDERS[decider.kind]) is not type(decider)
    ):
        raise ValueError(f"Decisions by a {decider.kind} already have a decider")
    DECIDERS[decider.kind] = decider
    return decider


register_decider(PersonDecider())
register_decider(BoardDecider())


def decider_of(waiting: Waiting) -> Decider:
    found = DECIDERS.get(waiting.decider)
    if found is None:
        raise ValidationFailed(
            "", errors={"decider": [f"No one can take a decision of a {waiting.decider}."]}
        )
    return found


# --- the one rule: may this person take this step now -----------------------------------------


def step_blockers(*, rec: Recommendation, acting: Acting, policy: Policy, steps=None) -> list[str]:
    """Why this person may not take the recommendation's current step now; empty when they
    may. `steps` are its decision steps when already loaded (else one query)."""
    if rec.status != Status.PENDING:
        return [f"It is {rec.get_status_display().lower()}."]
    if not acting.is_person:
        return ["A decision is taken by a person, in writing."]
    reasons = []
    if rec.someone_else:
        acted = {s.actor_id for s in (rec.steps.all() if steps is None else steps)}
        if acting.user_id == rec.proposed_by_id:
            reasons.append("You made this recommendation: someone else must check or decide it.")
        elif acting.user_id in acted:
            reasons.append("You have already acted on it: someone else must take the next step.")
    waiting = Waiting.of(rec)
    if not waiting.deciding:
        if waiting.role not in acting.roles:
            reasons.append(f"It waits for {policy.roles_text({waiting.role})}.")
        elif waiting.post and waiting.post not in acting.posts:
            reasons.append(f"It waits for the {waiting.post}.")
    elif DECIDERS.get(waiting.decider) is None or (
        DECIDERS[waiting.decider].acting_as(acting, waiting) is None
    ):
        reasons.append(f"It waits for the {waiting.post}.")
    return reasons


def awaiting_q(acting: Acting) -> Q:
    """`step_blockers` as a query: the pending recommendations this person may act on now."""
    if not acting.is_person:
        return Q(pk__in=[])
    checks = Q(awaiting_decider="", awaiting_role__in=sorted(acting.roles)) & (
        Q(awaiting_post="") | Q(awaiting_post__in=sorted(acting.posts))
    )
    decisions = Q(pk__in=[])
    for decider in DECIDERS.values():
        decisions |= decider.awaiting_q(acting)
    acted = DecisionStep.objects.filter(recommendation=OuterRef("pk"), actor_id=acting.user_id)
    not_theirs = ~Q(proposed_by_id=acting.user_id) & ~Exists(acted)
    return Q(status=Status.PENDING) & (checks | decisions) & (Q(someone_else=False) | not_theirs)

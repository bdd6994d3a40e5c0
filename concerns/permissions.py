"""Who may see and work on escalation, and the predicates over the council's own ladder: which
roles may make each move comes from the pack, and the same check (`move_blockers`, as the
`concerns.make_this_move` rule) guards the case page's buttons, the API and the services."""

from dataclasses import dataclass

import rules

from concerns.pack import Ladder, Move
from core.errors import NotAllowed
from councils.models import Role
from councils.permissions import (
    has_role,
    is_auditor,
    is_member,
    roles_in,
    token_scope,
    works_on_quality,
)

rules.add_perm("concerns.view_case", works_on_quality | is_auditor | has_role(Role.BOARD_MEMBER))
rules.add_perm("concerns.open_case", has_role(Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER))
# Moves are made by those who can see cases (which roles may make each move: the pack).
rules.add_perm(
    "concerns.make_move",
    has_role(
        Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER, Role.BOARD_MEMBER, Role.COUNCIL_ADMIN
    ),
)
rules.add_perm("concerns.handle_alert", works_on_quality)
# Who sees that a case has no lead officer, to give it one.
rules.add_perm("concerns.assign_lead", has_role(Role.MANAGER, Role.DECISION_MAKER))
# Anyone may ask for an exception the pack lets their role ask for (000 5: the Placement
# Officer's family choice); the pack says which.
rules.add_perm("concerns.request_exception", is_member)

token_scope(
    "cases:read",
    "Read escalation cases, their moves and decisions",
    {"concerns.view_case", "decisions.view_all"},
)


@dataclass(frozen=True)
class MoveAttempt:
    """A person's attempt at one of the pack's moves on one case (a rules target)."""

    case: object
    move: Move

    @property
    def council_id(self):
        return self.case.council_id


def move_blockers(*, case, move: Move, user, ladder: Ladder | None = None) -> list[str]:
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
    if move.automatic:
        reasons.append(
            f"“{move.label}” is not made by hand: {move.description or 'it follows a decision.'}"
        )
    elif not roles_in(user, case) & move.by:
        reasons.append(f"Only {ladder.policy.roles_text(move.by)} may make this move.")
    return reasons


@rules.predicate
def may_make_move(user, attempt: MoveAttempt) -> bool:
    return not move_blockers(case=attempt.case, move=attempt.move, user=user)


rules.add_perm("concerns.make_this_move", may_make_move)


def require_pack_role(actor, council, roles: frozenset[str], policy, doing: str) -> None:
    """The pack names which roles may do something (open the safeguarding track, ask for an
    exception): the actor holds one of them in this council, or NotAllowed says who may."""
    if not roles_in(actor, council) & roles:
        raise NotAllowed(f"Only {policy.roles_text(roles)} may {doing}.")

"""Predicates over the council's own ladder: the same checks guard the case page's buttons,
the API and the services."""

from dataclasses import dataclass

import rules

from concerns.ladder import Move


@dataclass(frozen=True)
class MoveAttempt:
    """A person's attempt at one of the pack's moves on one case (a rules target)."""

    case: object
    move: Move

    @property
    def council_id(self):
        return self.case.council_id


@rules.predicate
def may_make_move(user, attempt: MoveAttempt) -> bool:
    from concerns.services import move_blockers

    return not move_blockers(case=attempt.case, move=attempt.move, user=user)


@rules.predicate
def may_act_on(user, recommendation) -> bool:
    from concerns.services import step_blockers

    return not step_blockers(recommendation=recommendation, user=user)


rules.add_perm("concerns.make_this_move", may_make_move)
rules.add_perm("concerns.act_on_recommendation", may_act_on)

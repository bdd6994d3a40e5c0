"""Quorum computed from attendance by the council's rule, never ticked by hand (issue 12: a
meeting of two people decided a Rectification Notice because the box was ticked).

Somerset's rule (003 Appendix 4 ToR 5): "not less than three members and shall include" a CCG
Safeguarding and Commissioning representative, a Manager from the Quality & Performance
Service and a Strategic Commissioner; if not quorate the meeting "may proceed ... but any record
... should be clearly indicated as notes rather than formal minutes and no decisions may be
taken"."""

from __future__ import annotations

from dataclasses import dataclass

from boards.pack import BoardDef

MINUTES, NOTES = "minutes", "notes"


@dataclass(frozen=True)
class Present:
    """A member at the meeting, with the posts they hold on the board."""

    member_id: int
    posts: frozenset[str]
    declared_interest: bool = False


@dataclass(frozen=True)
class Quorum:
    quorate: bool
    reasons: tuple[str, ...]
    seed: str = ""

    @property
    def record(self) -> str:
        """What the record of the meeting is: minutes, or notes when it was not quorate."""
        return MINUTES if self.quorate else NOTES

    @property
    def summary(self) -> str:
        return "; ".join(self.reasons)


def quorum_of(board: BoardDef, present: list[Present]) -> Quorum:
    """Whether the members present make the meeting quorate by the board's rule, and why
    (each missing post named in the council's words)."""
    rule = board.quorum
    members = {p.member_id: p for p in present}
    count = len(members)
    if rule is None:
        return Quorum(
            True,
            (f"{_members(count)} present; the council's procedure sets no quorum",),
        )
    reasons: list[str] = []
    enough = count >= rule.min_members
    reasons.append(
        f"{_members(count)} present (at least {rule.min_members} needed)"
        if enough
        else f"Only {_members(count)} present: at least {rule.min_members} are needed"
    )
    held = set().union(*(p.posts for p in members.values())) if members else set()
    missing = [key for key in rule.must_include if key not in held]
    for key in missing:
        reasons.append(f"No {board.post_label(key)} present")
    if enough and not missing and rule.must_include:
        reasons.append(
            "With " + ", ".join(board.post_label(k) for k in rule.must_include) + " present"
        )
    return Quorum(enough and not missing, tuple(reasons), rule.seed)


def _members(n: int) -> str:
    return f"{n} member" + ("" if n == 1 else "s")

"""A council's boards and meetings as its policy pack declares them (the `boards` section,
issue 12): where decisions about providers are taken and recorded, who sits on each by post,
the quorum rule, when papers go out, the attendance expected, whether urgent decisions may be
taken virtually, and the standing agenda.

`Boards` is the section's typed reader, registered with the pack with its part of the schema
and the checks of meaning a schema cannot say."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from councils.policy import PackPart, Policy, policy_of

SCHEMA = Path(__file__).with_name("pack_schema.json")
POST_KINDS = ("decision_maker", "advisor", "business_support")


@dataclass(frozen=True)
class PostDef:
    key: str
    label: str
    kind: str = "decision_maker"
    organisation: str = ""
    external: bool = False
    seed: str = ""


@dataclass(frozen=True)
class QuorumRule:
    min_members: int
    must_include: tuple[str, ...] = ()
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Attendance:
    expected: int
    of: int
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class BoardDef:
    key: str
    name: str
    kind: str
    purpose: str
    seed: str
    frequency: str = ""
    called_by: str = ""
    posts: tuple[PostDef, ...] = ()
    chair: str = ""
    quorum: QuorumRule | None = None
    papers_days_before: int | None = None
    papers_seed: str = ""
    attendance: Attendance | None = None
    urgent_virtual: bool = False
    urgent_seed: str = ""
    independence: str = ""
    decides: tuple[str, ...] = ()
    agenda: tuple[str, ...] = ()
    record: str = ""
    reports_to: str = ""
    may_call_makers: tuple[str, ...] = ()
    may_call_roles: tuple[str, ...] = ()
    may_call_seed: str = ""
    provider_letter: str = ""
    about_provider: bool = False

    def post(self, key: str) -> PostDef | None:
        return next((p for p in self.posts if p.key == key), None)

    def post_label(self, key: str) -> str:
        post = self.post(key)
        return post.label if post else key.replace("_", " ")

    @property
    def quorum_words(self) -> str:
        """The quorum rule in words, for pages."""
        if self.quorum is None:
            return "The council's procedure sets no quorum"
        words = f"At least {self.quorum.min_members} members"
        named = [self.post_label(k) for k in self.quorum.must_include]
        if named:
            words += ", including " + (
                ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]
            )
        return words


@dataclass(frozen=True)
class Boards:
    boards: tuple[BoardDef, ...]

    def get(self, key: str) -> BoardDef | None:
        return next((b for b in self.boards if b.key == key), None)

    @classmethod
    def read(cls, content: dict) -> Boards:
        out = []
        for key, b in (content.get("boards") or {}).items():
            q = b.get("quorum")
            a = b.get("attendance")
            papers = b.get("papers") or {}
            urgent = b.get("urgent") or {}
            out.append(
                BoardDef(
                    key=key,
                    name=b["name"],
                    kind=b.get("kind", "board"),
                    purpose=b.get("purpose", ""),
                    seed=b["seed"],
                    frequency=b.get("frequency", ""),
                    called_by=b.get("called_by", ""),
                    posts=tuple(
                        PostDef(
                            key=pk,
                            label=p["label"],
                            kind=p.get("kind", "decision_maker"),
                            organisation=p.get("organisation", ""),
                            external=bool(p.get("external", False)),
                            seed=p.get("seed", ""),
                        )
                        for pk, p in (b.get("posts") or {}).items()
                    ),
                    chair=b.get("chair", ""),
                    quorum=QuorumRule(
                        min_members=q["min_members"],
                        must_include=tuple(q.get("must_include", [])),
                        seed=q["seed"],
                        quote=q.get("quote", ""),
                    )
                    if q
                    else None,
                    papers_days_before=papers.get("days_before"),
                    papers_seed=papers.get("seed", ""),
                    attendance=Attendance(a["expected"], a["of"], a["seed"], a.get("quote", ""))
                    if a
                    else None,
                    urgent_virtual=bool(urgent.get("virtual", False)),
                    urgent_seed=urgent.get("seed", ""),
                    independence=b.get("independence", ""),
                    decides=tuple(b.get("decides", [])),
                    agenda=tuple(b.get("agenda", [])),
                    record=b.get("record", ""),
                    reports_to=b.get("reports_to", ""),
                    may_call_makers=tuple((b.get("may_call") or {}).get("decision_makers", [])),
                    may_call_roles=tuple((b.get("may_call") or {}).get("roles", [])),
                    may_call_seed=(b.get("may_call") or {}).get("seed", ""),
                    provider_letter=b.get("provider_letter", ""),
                    about_provider=bool(b.get("about_provider", False)),
                )
            )
        return cls(tuple(out))

    @classmethod
    def of(cls, council) -> Boards:
        return policy_of(council).section("boards")


def check_boards(content: dict, here) -> None:
    """What a schema cannot say: the quorum names posts the board has and asks no more members
    than it could have; who may call a meeting are the pack's decision makers; the provider's
    letter is one of the pack's letters."""
    makers = {m.get("key") for m in content.get("decision_makers") or []}
    letters = (content.get("letters") or {}).get("templates") or {}
    for key, b in (content.get("boards") or {}).items():
        posts = set((b.get("posts") or {}).keys())
        for i, k in enumerate((b.get("may_call") or {}).get("decision_makers", [])):
            if k not in makers:
                here(f"boards.{key}.may_call.decision_makers[{i}]", f"{k!r} is no decision maker")
        letter = b.get("provider_letter")
        if letter and letter not in letters:
            here(f"boards.{key}.provider_letter", f"{letter!r} is not one of the pack's letters")
        a = b.get("attendance")
        if a and a["expected"] > a["of"]:
            here(f"boards.{key}.attendance", "expects more meetings than it counts")
        q = b.get("quorum")
        if not q:
            continue
        for i, post in enumerate(q.get("must_include", [])):
            if post not in posts:
                here(f"boards.{key}.quorum.must_include[{i}]", f"{post!r} is not a post of {key}")
        if len(q.get("must_include", [])) > q["min_members"]:
            here(
                f"boards.{key}.quorum.min_members",
                "fewer than the posts the quorum must include",
            )


def boards_of(policy: Policy) -> Boards:
    return policy.section("boards")


PART = PackPart(
    name="boards",
    schema=SCHEMA,
    readers={"boards": Boards.read},
    check=check_boards,
)

"""A council's escalation ladder as its policy pack declares it (the `escalation` section):
stages in its own words, the moves it allows (who may make them, the decision they need, the
evidence, questions and effects), the safeguarding track, the automatic triggers and
Bromley-style exceptions. `Ladder` is the section's typed reader, registered with the pack
with its part of the schema and the checks of meaning a schema cannot say."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from concerns.effects import EFFECTS
from concerns.models import LADDER, Stage
from core.errors import NotFound
from councils.policy import PackPart, Policy, policy_of, policy_of_version
from decisions.chain import Approval
from decisions.questions import EvidenceKind, Field, evidence_label, fields_from_pack

SCHEMA = Path(__file__).with_name("pack_schema.json")
STAGE_ORDER = tuple(LADDER)


@dataclass(frozen=True)
class Effect:
    kind: str
    time_limit: str = ""
    ends_with_stage: bool = True
    letter: str = ""
    label: str = ""
    review_type: str = ""
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Move:
    key: str
    label: str
    sources: tuple[str, ...]
    to: str
    by: frozenset[str]
    approval: Approval | None = None
    evidence: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()
    fields: tuple[Field, ...] = ()
    description: str = ""
    automatic: bool = False
    seed: str = ""
    quote: str = ""

    @property
    def is_up(self) -> bool:
        return all(LADDER.index(self.to) > LADDER.index(s) for s in self.sources) and (
            self.to != Stage.CLOSED
        )


@dataclass(frozen=True)
class Exception_:
    key: str
    label: str
    by: frozenset[str]
    approval: Approval
    fields: tuple[Field, ...]
    description: str = ""
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class StageDef:
    key: str
    label: str
    description: str = ""
    suspends_reviews: tuple[str, ...] = ()
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Trigger:
    key: str
    label: str
    rule: str
    action: str
    stage: str = ""
    suggest: str = ""
    decided_by: str = ""
    weeks: int = 0
    rating_source: str = "cqc"
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Safeguarding:
    """The safeguarding track beside any stage (001 App. 3 Serious Concerns; 003 Whole
    Service Concern, itself a default in Somerset: Key principles 2)."""

    label: str
    by: frozenset[str]
    seed: str = ""
    description: str = ""
    counts_as_default: bool = False
    meeting_label: str = ""
    quote: str = ""


@dataclass
class Ladder:
    stages: list[StageDef]
    moves: list[Move]
    evidence_kinds: dict[str, EvidenceKind]
    triggers: list[Trigger]
    exceptions: list[Exception_]
    safeguarding: Safeguarding | None
    whole_provider: bool
    seed: str
    policy: Policy = field(repr=False, default=None)

    @classmethod
    def of(cls, council) -> Ladder:
        policy = policy_of(council)
        if not policy.has("escalation"):
            raise NotFound(
                f"{council}'s policy in force has no escalation ladder: load the current pack."
            )
        return policy.section("escalation")

    @classmethod
    def of_version(cls, version) -> Ladder:
        return policy_of_version(version).section("escalation")

    @classmethod
    def read(cls, content: dict) -> Ladder:
        """The section's typed reader (read once per policy version, by councils.policy)."""
        esc = content["escalation"]
        moves = [
            Move(
                key=m["key"],
                label=m["label"],
                sources=tuple(m["from"]),
                to=m["to"],
                by=frozenset(m["by"]),
                approval=Approval.from_pack(m.get("approval")),
                evidence=tuple(m.get("evidence", ())),
                effects=tuple(Effect(**e) for e in m.get("effects", ())),
                fields=fields_from_pack(m.get("fields")),
                description=m.get("description", ""),
                automatic=m.get("automatic", False),
                seed=m.get("seed", ""),
                quote=m.get("quote", ""),
            )
            for m in esc["moves"]
        ]
        exceptions = [
            Exception_(
                key=x["key"],
                label=x["label"],
                by=frozenset(x["by"]),
                approval=Approval.from_pack(x["approval"]),
                fields=fields_from_pack(x["fields"]),
                description=x.get("description", ""),
                seed=x.get("seed", ""),
                quote=x.get("quote", ""),
            )
            for x in esc.get("exceptions", ())
        ]
        sg = esc.get("safeguarding")
        return cls(
            stages=[
                StageDef(**{**s, "suspends_reviews": tuple(s.get("suspends_reviews", ()))})
                for s in esc["stages"]
            ],
            moves=moves,
            evidence_kinds={
                e["key"]: EvidenceKind(key=e["key"], label=e["label"], hint=e.get("hint", ""))
                for e in esc["evidence_kinds"]
            },
            triggers=[Trigger(**t) for t in esc["triggers"]],
            exceptions=exceptions,
            safeguarding=Safeguarding(**{**sg, "by": frozenset(sg["by"])}) if sg else None,
            whole_provider=esc.get("whole_provider", True),
            seed=esc["seed"],
            policy=Policy(content),
        )

    def stage(self, key: str) -> StageDef | None:
        return next((s for s in self.stages if s.key == key), None)

    def stage_label(self, key: str) -> str:
        found = self.stage(key)
        return found.label if found else Stage(key).label

    def move(self, key: str) -> Move | None:
        return next((m for m in self.moves if m.key == key), None)

    def moves_from(self, stage: str) -> list[Move]:
        return [m for m in self.moves if stage in m.sources]

    def exception(self, key: str) -> Exception_ | None:
        return next((x for x in self.exceptions if x.key == key), None)

    def maker_title(self, key: str) -> str:
        return self.policy.maker(key).title

    def suspended_reviews(self, stage: str) -> tuple[str, ...]:
        found = self.stage(stage)
        return found.suspends_reviews if found else ()

    def evidence_label(self, key: str) -> str:
        return evidence_label(self.evidence_kinds, key)


# --- checks of meaning ---------------------------------------------------------------------


def check_escalation(content: dict, problem) -> None:
    """Every name in the ladder resolves, and every stage can be reached and left downwards."""

    def here(path: str, message: str) -> None:
        problem(f"escalation.{path}", message)

    esc = content["escalation"]
    makers = {m["key"] for m in content["decision_makers"]}
    evidence = {e["key"] for e in esc["evidence_kinds"]}
    stages = [s["key"] for s in esc["stages"]]
    review_types = {t["key"] for t in content.get("reviews", {}).get("types", [])}
    if len(set(stages)) != len(stages):
        here("stages", "each stage may appear once")
    for needed in ("informal", "closed"):
        if needed not in stages:
            here("stages", f"the ladder needs the {needed!r} stage")
    if [s for s in STAGE_ORDER if s in stages] != stages:
        here("stages", "stages must be listed lowest first: " + ", ".join(STAGE_ORDER))
    for i, stage in enumerate(esc["stages"]):
        for kind in stage.get("suspends_reviews", []):
            if kind not in review_types:
                here(f"stages[{i}].suspends_reviews", f"{kind!r} is not a review type")

    def check_approval(path: str, approval: dict | None) -> None:
        if approval and approval["decided_by"] not in makers:
            here(
                f"{path}.approval.decided_by", f"{approval['decided_by']!r} is not a decision maker"
            )

    seen: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for i, move in enumerate(esc["moves"]):
        path = f"moves[{i}]"
        if move["key"] in seen:
            here(f"{path}.key", f"{move['key']!r} is used twice")
        seen.add(move["key"])
        for stage in [*move["from"], move["to"]]:
            if stage not in stages:
                here(path, f"{stage!r} is not one of this council's stages")
        if move["to"] in move["from"]:
            here(f"{path}.to", "a move must change the stage")
        if "closed" in move["from"]:
            here(f"{path}.from", "a closed case cannot move: open a new case")
        check_approval(path, move.get("approval"))
        if move.get("automatic") and move.get("approval"):
            here(f"{path}.approval", "an automatic move follows a decision taken elsewhere")
        for kind in move.get("evidence", []):
            if kind not in evidence:
                here(f"{path}.evidence", f"{kind!r} is not in evidence_kinds")
        for j, effect in enumerate(move.get("effects", [])):
            handler = EFFECTS.get(effect["kind"])
            if handler is None:
                here(f"{path}.effects[{j}].kind", f"no app carries out {effect['kind']!r} effects")
            elif handler.check is not None:
                handler.check(
                    effect, content, lambda p, m, at=f"{path}.effects[{j}]": here(f"{at}.{p}", m)
                )
        edges.update((s, move["to"]) for s in move["from"])
    reachable, frontier = {"informal"}, ["informal"]
    while frontier:
        node = frontier.pop()
        for a, b in edges:
            if a == node and b not in reachable:
                reachable.add(b)
                frontier.append(b)
    for stage in stages:
        if stage not in reachable:
            here("moves", f"no move reaches the {stage!r} stage")
        rank = STAGE_ORDER.index(stage)
        if stage != "closed" and not any(
            a == stage and STAGE_ORDER.index(b) < rank or (a == stage and b == "closed")
            for a, b in edges
        ):
            here("moves", f"the {stage!r} stage has no way back down")
    for i, trigger in enumerate(esc["triggers"]):
        path = f"triggers[{i}]"
        if trigger["action"] == "open_case" and trigger.get("stage") not in stages:
            here(f"{path}.stage", "say which of this council's stages the case opens at")
        if trigger["rule"] == "requires_improvement_not_improved" and not trigger.get("weeks"):
            here(f"{path}.weeks", "say how many weeks the rating has to improve")
        if trigger.get("decided_by") and trigger["decided_by"] not in makers:
            here(f"{path}.decided_by", f"{trigger['decided_by']!r} is not a decision maker")
    for i, exception in enumerate(esc.get("exceptions", [])):
        check_approval(f"exceptions[{i}]", exception["approval"])


PART = PackPart(
    name="concerns",
    schema=SCHEMA,
    readers={"escalation": Ladder.read},
    check=check_escalation,
)

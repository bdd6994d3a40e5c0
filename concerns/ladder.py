"""A council's escalation ladder as its policy pack declares it: stages in its own words, the
moves it allows (with who may make them, the decision they need, the evidence and effects),
the safeguarding track, the automatic triggers and Bromley-style exceptions."""

from dataclasses import dataclass, field

from concerns.models import LADDER, Stage
from core.errors import NotFound


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str
    required: bool = False
    hint: str = ""
    choices: tuple[str, ...] = ()
    prefill: str = ""
    seed: str = ""


@dataclass(frozen=True)
class ChainStep:
    role: str
    label: str
    title: str = ""
    seed: str = ""


@dataclass(frozen=True)
class Approval:
    decided_by: str
    chain: tuple[ChainStep, ...] = ()
    someone_else: bool = True
    seed: str = ""
    quote: str = ""


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


_LADDERS: dict[tuple[int, str], "Ladder"] = {}


def _fields(items) -> tuple[Field, ...]:
    return tuple(Field(**{**f, "choices": tuple(f.get("choices", ()))}) for f in items or ())


def _approval(data) -> Approval | None:
    if not data:
        return None
    chain = tuple(ChainStep(**c) for c in data.get("chain", ()))
    return Approval(**{**data, "chain": chain})


@dataclass
class Ladder:
    stages: list[StageDef]
    moves: list[Move]
    evidence_kinds: dict[str, dict]
    triggers: list[Trigger]
    exceptions: list[Exception_]
    safeguarding: dict | None
    whole_provider: bool
    seed: str
    makers: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, council) -> "Ladder":
        version = council.active_policy
        if "escalation" not in version.content:
            raise NotFound(
                f"{council}'s policy in force has no escalation ladder: load the current pack."
            )
        return cls.of_version(version)

    @classmethod
    def of_version(cls, version) -> "Ladder":
        """Policy versions never change, so each is read into a ladder once per process."""
        key = (version.pk, version.sha256)
        found = _LADDERS.get(key)
        if found is None:
            if len(_LADDERS) > 256:
                _LADDERS.clear()
            found = _LADDERS[key] = cls.from_content(version.content)
        return found

    @classmethod
    def for_versions(cls, version_ids) -> dict[int, "Ladder"]:
        """{version id: ladder} for many versions: their content is fetched only for those
        not read yet (at most two queries)."""
        from councils.models import PolicyVersion

        keys = dict(
            PolicyVersion.objects.filter(pk__in=set(version_ids) - {None}).values_list(
                "pk", "sha256"
            )
        )
        missing = [pk for pk, sha in keys.items() if (pk, sha) not in _LADDERS]
        for version in PolicyVersion.objects.filter(pk__in=missing).only("pk", "sha256", "content"):
            cls.of_version(version)
        return {pk: _LADDERS[(pk, sha)] for pk, sha in keys.items() if (pk, sha) in _LADDERS}

    @classmethod
    def from_content(cls, content: dict) -> "Ladder":
        esc = content["escalation"]
        moves = [
            Move(
                key=m["key"],
                label=m["label"],
                sources=tuple(m["from"]),
                to=m["to"],
                by=frozenset(m["by"]),
                approval=_approval(m.get("approval")),
                evidence=tuple(m.get("evidence", ())),
                effects=tuple(Effect(**e) for e in m.get("effects", ())),
                fields=_fields(m.get("fields")),
                description=m.get("description", ""),
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
                approval=_approval(x["approval"]),
                fields=_fields(x["fields"]),
                description=x.get("description", ""),
                seed=x.get("seed", ""),
                quote=x.get("quote", ""),
            )
            for x in esc.get("exceptions", ())
        ]
        return cls(
            stages=[
                StageDef(**{**s, "suspends_reviews": tuple(s.get("suspends_reviews", ()))})
                for s in esc["stages"]
            ],
            moves=moves,
            evidence_kinds={e["key"]: e for e in esc["evidence_kinds"]},
            triggers=[Trigger(**t) for t in esc["triggers"]],
            exceptions=exceptions,
            safeguarding=esc.get("safeguarding"),
            whole_provider=esc.get("whole_provider", True),
            seed=esc["seed"],
            makers={m["key"]: m for m in content["decision_makers"]},
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
        return self.makers.get(key, {}).get("title", key)

    def maker_is_board(self, key: str) -> bool:
        return self.makers.get(key, {}).get("kind") == "board"

    def suspended_reviews(self, stage: str) -> tuple[str, ...]:
        found = self.stage(stage)
        return found.suspends_reviews if found else ()

    def evidence_label(self, key: str) -> str:
        return self.evidence_kinds.get(key, {}).get("label", key)

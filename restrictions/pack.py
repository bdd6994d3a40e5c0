"""A council's restrictions on placements as its policy pack declares them (the
`restrictions` section): the levels in its own words and colours, who asks for a restriction,
its change and its lifting and the decision each needs, the review, the time limits, appeals,
whom to tell, what it shares with other councils, the rules that propose one, and the lists
it issues (003 Managed Placements Memo; 004 Providers with Restrictions List).

`Restrictions` is the section's typed reader, registered with the pack with its part of the
schema and the checks of meaning a schema cannot say."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.errors import NotFound
from councils.policy import PackPart, Policy, policy_of, policy_of_version
from decisions.chain import Approval
from decisions.questions import EvidenceKind, Field, evidence_label, fields_from_pack
from restrictions.models import LEVEL_ORDER, Level

SCHEMA = Path(__file__).with_name("pack_schema.json")


@dataclass(frozen=True)
class LevelDef:
    key: str
    label: str
    colour: str
    placing: str
    exceptions: str = ""
    seed: str = ""
    quote: str = ""

    @property
    def rank(self) -> int:
        return LEVEL_ORDER.index(self.key)


@dataclass(frozen=True)
class Action:
    """Imposing, changing or lifting a restriction: who may ask, and the decision it needs
    (none: made at once by those who may ask)."""

    key: str
    label: str
    by: frozenset[str]
    approval: Approval | None = None
    evidence: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    description: str = ""
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Review:
    by: frozenset[str]
    default_months: int = 0
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class DefaultNotice:
    """004 20.2: after so long on an Embargo a Default Notice may be given."""

    time_limit: str
    levels: tuple[str, ...]
    suggest: str = ""
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Hold:
    """003 2.5: new placements stay suspended at least so many months after compliance."""

    months: int
    levels: tuple[str, ...]
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Appeals:
    by: frozenset[str]
    decided_by: str
    window: str
    decide_within: str
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Tell:
    audience: str
    label: str
    when: tuple[str, ...]
    letter: str = ""
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Sharing:
    levels: tuple[str, ...]
    with_all: bool
    with_codes: tuple[str, ...] = ()
    seed: str = ""
    quote: str = ""

    def shares(self, level: str) -> bool:
        return level in self.levels


@dataclass(frozen=True)
class FromTrigger:
    trigger: str
    level: str
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class FromShared:
    level: str
    propose: str
    host_only: bool = True
    seed: str = ""
    quote: str = ""


@dataclass(frozen=True)
class ListSection:
    level: str
    heading: str
    description: str = ""


@dataclass(frozen=True)
class ServiceCode:
    code: str
    label: str
    service_types: tuple[str, ...] = ()
    specialist: bool = False


@dataclass(frozen=True)
class Recipient:
    label: str
    email: str = ""


@dataclass(frozen=True)
class ListDef:
    key: str
    title: str
    sections: tuple[ListSection, ...]
    removed: ListSection | None = None
    intro: str = ""
    marking: str = ""
    group_by_area: bool = False
    service_codes: tuple[ServiceCode, ...] = ()
    roles: tuple[str, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    seed: str = ""
    quote: str = ""

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(s.level for s in self.sections)

    def code_of(self, service_types, specialist: bool) -> str:
        """The list's service type code for a service (003 memo: RC, NC, SRC, DCA, SL)."""
        names = set(service_types)
        for code in self.service_codes:
            if code.specialist and not specialist:
                continue
            if not code.service_types or names & set(code.service_types):
                return code.code
        return ""


@dataclass
class Restrictions:
    levels: dict[str, LevelDef]
    actions: dict[str, Action]
    evidence_kinds: dict[str, EvidenceKind]
    whole_provider: bool
    review: Review | None
    tell_provider_within: str
    default_notice: DefaultNotice | None
    hold: Hold | None
    appeals: Appeals | None
    tell: tuple[Tell, ...]
    sharing: Sharing | None
    from_triggers: tuple[FromTrigger, ...]
    from_shared: tuple[FromShared, ...]
    case_moves: dict[str, str]
    lists: tuple[ListDef, ...]
    seed: str
    description: str = ""
    policy: Policy = field(repr=False, default=None)

    @classmethod
    def of(cls, council) -> Restrictions:
        policy = policy_of(council)
        if not policy.has("restrictions"):
            raise NotFound(f"{council}'s policy in force says nothing of restrictions.")
        return policy.section("restrictions")

    @classmethod
    def of_version(cls, version) -> Restrictions:
        return policy_of_version(version).section("restrictions")

    @classmethod
    def read(cls, content: dict) -> Restrictions:
        sec = content["restrictions"]

        def action(key: str) -> Action:
            a = sec[key]
            return Action(
                key=key,
                label=a["label"],
                by=frozenset(a["by"]),
                approval=Approval.from_pack(a.get("approval")),
                evidence=tuple(a.get("evidence", ())),
                fields=fields_from_pack(a.get("fields")),
                description=a.get("description", ""),
                seed=a.get("seed", ""),
                quote=a.get("quote", ""),
            )

        review, dn, hold = (
            sec.get("review"),
            sec.get("default_notice_after"),
            sec.get("hold_after_compliance"),
        )
        appeals, sharing = sec.get("appeals"), sec.get("sharing")
        lists = []
        for li in sec.get("lists", ()):
            dist = li.get("distribution", {})
            removed = li.get("removed")
            lists.append(
                ListDef(
                    key=li["key"],
                    title=li["title"],
                    sections=tuple(ListSection(**s) for s in li["sections"]),
                    removed=ListSection(level="none", **removed) if removed else None,
                    intro=li.get("intro", ""),
                    marking=li.get("marking", ""),
                    group_by_area=li.get("group_by_area", False),
                    service_codes=tuple(
                        ServiceCode(
                            code=c["code"],
                            label=c["label"],
                            service_types=tuple(c.get("service_types", ())),
                            specialist=c.get("specialist", False),
                        )
                        for c in li.get("service_codes", ())
                    ),
                    roles=tuple(dist.get("roles", ())),
                    recipients=tuple(Recipient(**r) for r in dist.get("recipients", ())),
                    seed=li.get("seed", ""),
                    quote=li.get("quote", ""),
                )
            )
        levels = {lv["key"]: LevelDef(**lv) for lv in sec["levels"]}
        return cls(
            levels=dict(sorted(levels.items(), key=lambda kv: LEVEL_ORDER.index(kv[0]))),
            actions={k: action(k) for k in ("impose", "change", "lift")},
            evidence_kinds={
                e["key"]: EvidenceKind(key=e["key"], label=e["label"], hint=e.get("hint", ""))
                for e in sec.get("evidence_kinds", ())
            },
            whole_provider=sec.get("whole_provider", True),
            review=Review(**{**review, "by": frozenset(review["by"])}) if review else None,
            tell_provider_within=sec.get("tell_provider_within", ""),
            default_notice=DefaultNotice(**{**dn, "levels": tuple(dn["levels"])}) if dn else None,
            hold=Hold(**{**hold, "levels": tuple(hold["levels"])}) if hold else None,
            appeals=Appeals(**{**appeals, "by": frozenset(appeals["by"])}) if appeals else None,
            tell=tuple(Tell(**{**t, "when": tuple(t["when"])}) for t in sec.get("tell", ())),
            sharing=(
                Sharing(
                    levels=tuple(sharing["levels"]),
                    with_all=sharing["with"] == "all",
                    with_codes=() if sharing["with"] == "all" else tuple(sharing["with"]),
                    seed=sharing.get("seed", ""),
                    quote=sharing.get("quote", ""),
                )
                if sharing
                else None
            ),
            from_triggers=tuple(FromTrigger(**t) for t in sec.get("from_triggers", ())),
            from_shared=tuple(FromShared(**s) for s in sec.get("from_shared", ())),
            case_moves={k: v for k, v in sec.get("case_moves", {}).items() if k != "seed"},
            lists=tuple(lists),
            seed=sec["seed"],
            description=sec.get("description", ""),
            policy=Policy(content),
        )

    # --- reading it ------------------------------------------------------------------------

    def level(self, key: str) -> LevelDef:
        """The council's words for a level; a level it does not use reads as the canonical."""
        found = self.levels.get(key)
        if found is None:
            return LevelDef(key=key, label=Level(key).label, colour="grey", placing="")
        return found

    @property
    def restrictive_levels(self) -> list[LevelDef]:
        return [lv for lv in self.levels.values() if lv.key != Level.NONE]

    def action(self, key: str) -> Action:
        return self.actions[key]

    def evidence_label(self, key: str) -> str:
        return evidence_label(self.evidence_kinds, key)

    def tells(self, when: str) -> list[Tell]:
        return [t for t in self.tell if when in t.when]

    def list_def(self, key: str) -> ListDef | None:
        return next((li for li in self.lists if li.key == key), None)

    def proposal_for_trigger(self, trigger: str) -> FromTrigger | None:
        return next((t for t in self.from_triggers if t.trigger == trigger), None)

    def proposal_for_shared(self, level: str) -> FromShared | None:
        return next((s for s in self.from_shared if s.level == level), None)


# --- checks of meaning ---------------------------------------------------------------------


def check_restrictions(content: dict, problem) -> None:
    """Every name resolves: levels once each with `none` among them, decision makers, time
    limits, evidence kinds, ladder moves and triggers, list sections."""
    if "restrictions" not in content:
        return

    def here(path: str, message: str) -> None:
        problem(f"restrictions.{path}", message)

    sec = content["restrictions"]
    makers = {m["key"] for m in content.get("decision_makers", [])}
    limits = set(content.get("time_limits", {}))
    evidence = {e["key"] for e in sec.get("evidence_kinds", [])}
    levels = [lv["key"] for lv in sec["levels"]]
    if len(set(levels)) != len(levels):
        here("levels", "each level may appear once")
    if Level.NONE not in levels:
        here("levels", "say what “no restriction” is called")
    if not set(levels) - {Level.NONE}:
        here("levels", "name at least one restriction")
    for key in ("impose", "change", "lift"):
        approval = sec[key].get("approval")
        if approval and approval["decided_by"] not in makers:
            here(
                f"{key}.approval.decided_by", f"{approval['decided_by']!r} is not a decision maker"
            )
        for kind in sec[key].get("evidence", []):
            if kind not in evidence:
                here(f"{key}.evidence", f"{kind!r} is not in evidence_kinds")

    def limit(path: str, key: str) -> None:
        if key and key not in limits:
            here(path, f"{key!r} is not one of the council's time limits")

    limit("tell_provider_within", sec.get("tell_provider_within", ""))
    if dn := sec.get("default_notice_after"):
        limit("default_notice_after.time_limit", dn["time_limit"])
    if appeals := sec.get("appeals"):
        limit("appeals.window", appeals["window"])
        limit("appeals.decide_within", appeals["decide_within"])
        if appeals["decided_by"] not in makers:
            here("appeals.decided_by", f"{appeals['decided_by']!r} is not a decision maker")
    for path, group in (
        ("sharing.levels", (sec.get("sharing") or {}).get("levels", [])),
        ("default_notice_after.levels", (sec.get("default_notice_after") or {}).get("levels", [])),
        (
            "hold_after_compliance.levels",
            (sec.get("hold_after_compliance") or {}).get("levels", []),
        ),
    ):
        for level in group:
            if level not in levels or level == Level.NONE:
                here(path, f"{level!r} is not one of this council's restrictions")
    triggers = {t["key"] for t in content.get("escalation", {}).get("triggers", [])}
    for i, t in enumerate(sec.get("from_triggers", [])):
        if t["trigger"] not in triggers:
            here(
                f"from_triggers[{i}].trigger",
                f"{t['trigger']!r} is not one of the council's triggers",
            )
        if t["level"] not in levels or t["level"] == Level.NONE:
            here(
                f"from_triggers[{i}].level",
                f"{t['level']!r} is not one of this council's restrictions",
            )
    for i, s in enumerate(sec.get("from_shared", [])):
        if s["propose"] not in levels or s["propose"] == Level.NONE:
            here(
                f"from_shared[{i}].propose",
                f"{s['propose']!r} is not one of this council's restrictions",
            )
    moves = {m["key"]: m for m in content.get("escalation", {}).get("moves", [])}
    for name, key in sec.get("case_moves", {}).items():
        if name != "seed" and key not in moves:
            here(f"case_moves.{name}", f"{key!r} is not one of the ladder's moves")
    seen = set()
    for i, li in enumerate(sec.get("lists", [])):
        if li["key"] in seen:
            here(f"lists[{i}].key", f"{li['key']!r} is used twice")
        seen.add(li["key"])
        for j, s in enumerate(li["sections"]):
            if s["level"] not in levels or s["level"] == Level.NONE:
                here(
                    f"lists[{i}].sections[{j}].level",
                    f"{s['level']!r} is not one of this council's restrictions",
                )
        if li.get("group_by_area") and not any(
            a.get("postcodes") for a in content.get("areas", [])
        ):
            here(f"lists[{i}].group_by_area", "give the areas' postcode districts to group by area")


PART = PackPart(
    name="restrictions",
    schema=SCHEMA,
    readers={"restrictions": Restrictions.read},
    check=check_restrictions,
)

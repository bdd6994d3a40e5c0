"""Policy packs: parsing and validating a council's pack, and reading it back.

A pack is refused whole when anything is wrong, with every problem listed by its path in the
file (`time_limits.appeal_window.amount: 'five' is not of type 'integer'`)."""

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any

import jsonschema
import yaml
from django.conf import settings

from core.errors import ValidationFailed
from core.workdays import WorkingCalendar

UNIT_WORDS = {
    "working_days": ("working day", "working days"),
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
}


@functools.cache
def schema() -> dict:
    return json.loads((settings.POLICY_DIR / "schema.json").read_text())


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _plain(value: Any) -> Any:
    """YAML may give dates; the stored content is plain JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def parse_pack(text: str) -> dict:
    """Parse and validate a pack; raise ValidationFailed listing every problem by path."""
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise ValidationFailed(
            "The policy pack is not valid YAML.", errors={where: [str(exc)]}
        ) from exc
    content = _plain(content)
    if not isinstance(content, dict):
        raise ValidationFailed(
            "The policy pack must be a mapping of sections.",
            errors={"(top level)": ["expected a mapping"]},
        )
    errors: dict[str, list[str]] = {}
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for error in sorted(validator.iter_errors(content), key=lambda e: list(e.absolute_path)):
        errors.setdefault(_path(error.absolute_path), []).append(error.message)
    if not errors:
        _check_meaning(content, errors)
    if errors:
        count = sum(len(v) for v in errors.values())
        raise ValidationFailed(
            f"The policy pack was refused: {count} problem{'s' if count != 1 else ''}.",
            errors=errors,
        )
    return content


def _check_meaning(content: dict, errors: dict[str, list[str]]) -> None:
    """Rules a schema cannot say: unique keys and codes."""
    seen: set[str] = set()
    for i, area in enumerate(content["areas"]):
        if area["code"] in seen:
            errors.setdefault(f"areas[{i}].code", []).append(f"{area['code']!r} is used twice")
        seen.add(area["code"])
    risk = content.get("risk")
    if risk and risk["red_at"] <= risk["amber_at"]:
        errors.setdefault("risk.red_at", []).append("must be more than amber_at")
    seen = set()
    for i, maker in enumerate(content["decision_makers"]):
        if maker["key"] in seen:
            errors.setdefault(f"decision_makers[{i}].key", []).append(
                f"{maker['key']!r} is used twice"
            )
        seen.add(maker["key"])
    if "escalation" in content:
        _check_escalation(content, errors)


STAGE_ORDER = ("informal", "formal", "rectification", "final_warning", "terminated", "closed")


def _check_escalation(content: dict, errors: dict[str, list[str]]) -> None:
    """Every name in the ladder resolves, and every stage can be reached and left downwards."""

    def problem(path: str, message: str) -> None:
        errors.setdefault(f"escalation.{path}", []).append(message)

    esc = content["escalation"]
    makers = {m["key"] for m in content["decision_makers"]}
    limits = set(content.get("time_limits", {}))
    review_types = {t["key"] for t in content.get("reviews", {}).get("types", [])}
    evidence = {e["key"] for e in esc["evidence_kinds"]}
    stages = [s["key"] for s in esc["stages"]]
    if len(set(stages)) != len(stages):
        problem("stages", "each stage may appear once")
    for needed in ("informal", "closed"):
        if needed not in stages:
            problem("stages", f"the ladder needs the {needed!r} stage")
    if [s for s in STAGE_ORDER if s in stages] != stages:
        problem("stages", "stages must be listed lowest first: " + ", ".join(STAGE_ORDER))
    for i, stage in enumerate(esc["stages"]):
        for kind in stage.get("suspends_reviews", []):
            if kind not in review_types:
                problem(f"stages[{i}].suspends_reviews", f"{kind!r} is not a review type")

    def check_approval(path: str, approval: dict | None) -> None:
        if approval and approval["decided_by"] not in makers:
            problem(
                f"{path}.approval.decided_by", f"{approval['decided_by']!r} is not a decision maker"
            )

    seen: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for i, move in enumerate(esc["moves"]):
        path = f"moves[{i}]"
        if move["key"] in seen:
            problem(f"{path}.key", f"{move['key']!r} is used twice")
        seen.add(move["key"])
        for stage in [*move["from"], move["to"]]:
            if stage not in stages:
                problem(path, f"{stage!r} is not one of this council's stages")
        if move["to"] in move["from"]:
            problem(f"{path}.to", "a move must change the stage")
        if "closed" in move["from"]:
            problem(f"{path}.from", "a closed case cannot move: open a new case")
        check_approval(path, move.get("approval"))
        for kind in move.get("evidence", []):
            if kind not in evidence:
                problem(f"{path}.evidence", f"{kind!r} is not in evidence_kinds")
        for j, effect in enumerate(move.get("effects", [])):
            _check_effect(f"{path}.effects[{j}]", effect, limits, review_types, problem)
        edges.update((s, move["to"]) for s in move["from"])
    reachable, frontier = {"informal"}, ["informal"]
    while frontier:
        here = frontier.pop()
        for a, b in edges:
            if a == here and b not in reachable:
                reachable.add(b)
                frontier.append(b)
    for stage in stages:
        if stage not in reachable:
            problem("moves", f"no move reaches the {stage!r} stage")
        rank = STAGE_ORDER.index(stage)
        if stage != "closed" and not any(
            a == stage and STAGE_ORDER.index(b) < rank or (a == stage and b == "closed")
            for a, b in edges
        ):
            problem("moves", f"the {stage!r} stage has no way back down")
    for i, trigger in enumerate(esc["triggers"]):
        path = f"triggers[{i}]"
        if trigger["action"] == "open_case" and trigger.get("stage") not in stages:
            problem(f"{path}.stage", "say which of this council's stages the case opens at")
        if trigger["rule"] == "requires_improvement_not_improved" and not trigger.get("weeks"):
            problem(f"{path}.weeks", "say how many weeks the rating has to improve")
        if trigger.get("decided_by") and trigger["decided_by"] not in makers:
            problem(f"{path}.decided_by", f"{trigger['decided_by']!r} is not a decision maker")
    for i, exception in enumerate(esc.get("exceptions", [])):
        check_approval(f"exceptions[{i}]", exception["approval"])


def _check_effect(path: str, effect: dict, limits: set, review_types: set, problem) -> None:
    kind = effect["kind"]
    if kind in ("deadline", "review") and effect.get("time_limit") not in limits:
        problem(f"{path}.time_limit", "name one of this council's time_limits")
    if kind == "letter" and not effect.get("letter"):
        problem(f"{path}.letter", "name the letter")
    if kind == "review" and effect.get("review_type") not in review_types:
        problem(f"{path}.review_type", "name one of this council's review types")


@dataclass(frozen=True)
class TimeLimit:
    key: str
    label: str
    amount: int
    unit: str
    seed: str
    direction: str = "after"
    quote: str = ""

    @property
    def in_words(self) -> str:
        one, many = UNIT_WORDS[self.unit]
        text = f"{self.amount} {one if self.amount == 1 else many}"
        return f"at least {text} before" if self.direction == "before" else text


class Policy:
    """Read access to one loaded policy version's content."""

    def __init__(self, content: dict):
        self.content = content

    @property
    def time_limits(self) -> list[TimeLimit]:
        return [TimeLimit(key=k, **v) for k, v in self.content.get("time_limits", {}).items()]

    def time_limit(self, key: str) -> TimeLimit:
        return TimeLimit(key=key, **self.content["time_limits"][key])

    @property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar.from_policy(self.content.get("calendar"))

    def role_label(self, role: str) -> str:
        return self.content.get("roles", {}).get(role, {}).get("label", "")


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{path: leaf value}; lists of keyed items are keyed by their key or code, so that a
    reordering is not reported as a change."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
        for i, item in enumerate(value):
            ident = item.get("key") or item.get("code") or str(i)
            out.update(flatten(item, f"{prefix}[{ident}]"))
    else:
        out[prefix] = value
    return out


@dataclass(frozen=True)
class Difference:
    path: str
    kind: str  # added, removed, changed
    old: Any = None
    new: Any = None


def diff(old: dict, new: dict) -> list[Difference]:
    a, b = flatten(old), flatten(new)
    out = []
    for path in sorted(a.keys() | b.keys()):
        if path not in a:
            out.append(Difference(path, "added", new=b[path]))
        elif path not in b:
            out.append(Difference(path, "removed", old=a[path]))
        elif a[path] != b[path]:
            out.append(Difference(path, "changed", old=a[path], new=b[path]))
    return out

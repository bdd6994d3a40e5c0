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

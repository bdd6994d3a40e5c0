"""Policy packs: parsing and validating a council's pack, and reading it back.

A pack is refused whole when anything is wrong, with every problem listed by its path in the
file (`time_limits.appeal_window.amount: 'five' is not of type 'integer'`).

Each app owns its part of the pack (`PackPart`: its part of the schema, the typed readers of
its sections, its checks of meaning) and registers it in its `ready()`; this module composes
them. Code reads a pack only through typed readers: `policy_of(council)` gives the policy in
force, read once per version and process (versions never change), and
`policy.section("escalation")` the typed reader an app registered for its section."""

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django_scopes import scopes_disabled

from core.errors import ValidationFailed
from core.workdays import WorkingCalendar, before_date, due_date
from councils.models import PolicyVersion

ROLE_WORDS = {
    "officer": "officers",
    "manager": "managers",
    "decision_maker": "decision makers",
    "board_member": "board members",
    "placement_staff": "placement staff",
    "auditor": "auditors",
    "council_admin": "council administrators",
}

UNIT_WORDS = {
    "working_days": ("working day", "working days"),
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
}


@dataclass(frozen=True)
class PackPart:
    """An app's part of the policy pack: its part of the schema (a JSON file with `$defs`,
    `properties` and `required`), the typed readers of its sections (each given the whole
    content, read once per policy version), and the checks of meaning a schema cannot say
    (`check(content, problem)`, with `problem(path, message)`)."""

    name: str
    schema: Path | None = None
    readers: dict[str, Callable[[dict], Any]] = field(default_factory=dict)
    check: Callable[[dict, Callable[[str, str], None]], None] | None = None


PARTS: dict[str, PackPart] = {}
_schema_cache: dict[tuple, dict] = {}


def pack_part(part: PackPart) -> PackPart:
    """Register an app's part (in its `ready()`); registering the same part again is a no-op."""
    if PARTS.get(part.name, part) != part:
        raise ValueError(f"The pack part {part.name!r} is registered twice")
    PARTS[part.name] = part
    return part


def schema() -> dict:
    """The whole pack schema: every registered part merged, the councils app's envelope first
    (`policies/schema.json` is this, written by `manage.py policy_schema`)."""
    key = tuple(PARTS)
    if key not in _schema_cache:
        out: dict = {}
        for part in PARTS.values():
            if part.schema is None:
                continue
            piece = json.loads(part.schema.read_text(encoding="utf-8"))
            piece.pop("$comment", None)
            defs = piece.pop("$defs", {})
            properties = piece.pop("properties", {})
            required = piece.pop("required", [])
            for k, v in piece.items():
                out.setdefault(k, v)
            out.setdefault("$defs", {}).update(defs)
            out.setdefault("properties", {}).update(properties)
            out["required"] = [*out.get("required", []), *required]
        _schema_cache.clear()
        _schema_cache[key] = out
    return _schema_cache[key]


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


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

        def problem(path: str, message: str) -> None:
            errors.setdefault(path, []).append(message)

        for part in PARTS.values():
            if part.check is not None:
                part.check(content, problem)
    if errors:
        count = sum(len(v) for v in errors.values())
        raise ValidationFailed(
            f"The policy pack was refused: {count} problem{'s' if count != 1 else ''}.",
            errors=errors,
        )
    return content


def check_councils_part(content: dict, problem: Callable[[str, str], None]) -> None:
    """Unique area codes and decision maker keys."""
    seen: set[str] = set()
    for i, area in enumerate(content["areas"]):
        if area["code"] in seen:
            problem(f"areas[{i}].code", f"{area['code']!r} is used twice")
        seen.add(area["code"])
    seen = set()
    for i, maker in enumerate(content["decision_makers"]):
        if maker["key"] in seen:
            problem(f"decision_makers[{i}].key", f"{maker['key']!r} is used twice")
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
    warn: dict | None = None

    @property
    def in_words(self) -> str:
        one, many = UNIT_WORDS[self.unit]
        text = f"{self.amount} {one if self.amount == 1 else many}"
        return f"at least {text} before" if self.direction == "before" else text


@dataclass(frozen=True)
class AreaDef:
    """A council's own area (003: the memo's groups), with the postcode districts in it."""

    code: str
    name: str
    postcodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionMaker:
    """Who decides (000: the DASS; 004: the Head of Commissioning; 003: the Board)."""

    key: str
    title: str
    kind: str = "person"
    delegate_title: str = ""
    decides: tuple[str, ...] = ()
    seed: str = ""

    @property
    def is_board(self) -> bool:
        return self.kind == "board"


class Policy:
    """One policy version's content, read through typed readers: the councils app's own
    sections here, any app's section through `section(key)` (each read once)."""

    def __init__(self, content: dict):
        self.content = content
        self._sections: dict[str, Any] = {}

    # --- the councils app's sections ----------------------------------------------------

    @property
    def code(self) -> str:
        return self.content["council"]["code"]

    @property
    def local_authorities(self) -> list[str]:
        return list(self.content["council"].get("local_authorities", []))

    @cached_property
    def areas(self) -> list[AreaDef]:
        return [
            AreaDef(code=a["code"], name=a["name"], postcodes=tuple(a.get("postcodes", ())))
            for a in self.content.get("areas", [])
        ]

    def area_of(self, postcode: str) -> AreaDef | None:
        """The council's area a postcode lies in, by its district (outward code)."""
        outward = (postcode or "").strip().upper().split(" ")[0]
        return next((a for a in self.areas if outward and outward in a.postcodes), None)

    def due(self, key: str, start: dt.date) -> dt.date:
        """When the pack's time limit `key`, counted from `start`, falls due."""
        limit = self.time_limit(key)
        return due_date(start, amount=limit.amount, unit=limit.unit, calendar=self.calendar)

    def warn_on(self, due_on: dt.date, key: str = "") -> dt.date | None:
        """When the owner of a limit due on `due_on` is warned: the time limit's own `warn`,
        else the calendar's `warn_before`, else 2 working days before."""
        warn = None
        if key and key in self.content.get("time_limits", {}):
            warn = self.time_limit(key).warn
        warn = warn or self.content.get("calendar", {}).get("warn_before")
        warn = warn or {"amount": 2, "unit": "working_days"}
        return before_date(due_on, amount=warn["amount"], unit=warn["unit"], calendar=self.calendar)

    @property
    def time_limits(self) -> list[TimeLimit]:
        return [TimeLimit(key=k, **v) for k, v in self.content.get("time_limits", {}).items()]

    def time_limit(self, key: str) -> TimeLimit:
        return TimeLimit(key=key, **self.content["time_limits"][key])

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar.from_policy(self.content.get("calendar"))

    def role_label(self, role: str) -> str:
        return self.content.get("roles", {}).get(role, {}).get("label", "")

    def roles_text(self, roles) -> str:
        """ "Care Quality Officers or Service Managers": roles in the council's own words."""
        names = [self.role_label(r) or ROLE_WORDS.get(r, r) for r in sorted(roles)]
        return " or ".join(names)

    @cached_property
    def decision_makers(self) -> dict[str, DecisionMaker]:
        return {
            m["key"]: DecisionMaker(
                key=m["key"],
                title=m["title"],
                kind=m.get("kind", "person"),
                delegate_title=m.get("delegate_title", ""),
                decides=tuple(m.get("decides", ())),
                seed=m.get("seed", ""),
            )
            for m in self.content["decision_makers"]
        }

    def maker(self, key: str) -> DecisionMaker:
        found = self.decision_makers.get(key)
        return found or DecisionMaker(key=key, title=key)

    # --- every other app's sections ------------------------------------------------------

    def has(self, key: str) -> bool:
        return key in self.content

    def section(self, key: str) -> Any:
        """The typed reader an app registered for this section, read once."""
        if key not in self._sections:
            reader = next((p.readers[key] for p in PARTS.values() if key in p.readers), None)
            if reader is None:
                raise KeyError(f"No app reads the pack section {key!r}")
            self._sections[key] = reader(self.content)
        return self._sections[key]


_POLICIES: dict[tuple[int, str], Policy] = {}


def policy_of_version(version) -> Policy:
    """Policy versions never change, so each is read once per process."""
    key = (version.pk, version.sha256)
    found = _POLICIES.get(key)
    if found is None:
        if len(_POLICIES) > 256:
            _POLICIES.clear()
        found = _POLICIES[key] = Policy(version.content)
    return found


_BY_ID: dict[int, Policy] = {}


def policies_forget() -> None:
    """Forget the versions found by id (a new version loaded; a test database rolled back,
    where SQLite may give a new version an old one's id)."""
    _BY_ID.clear()


def policy_of(council) -> Policy:
    """The council's policy in force. A version never changes, so once read it is found by
    its id alone: the hot paths (a placement status) then load no policy row at all."""
    found = _BY_ID.get(council.active_policy_id)
    if found is None:
        found = _remember(council.active_policy_id, policy_of_version(council.active_policy))
    return found


def policy_of_version_id(version_id: int) -> Policy:
    """A policy version by its id (read once per process)."""
    found = _BY_ID.get(version_id)
    if found is None:
        with scopes_disabled():
            version = PolicyVersion.objects.only("pk", "sha256", "content").get(pk=version_id)
        found = _remember(version_id, policy_of_version(version))
    return found


def _remember(version_id: int, policy: Policy) -> Policy:
    if len(_BY_ID) > 256:
        _BY_ID.clear()
    _BY_ID[version_id] = policy
    return policy


def policies_of_versions(version_ids: Iterable[int | None]) -> dict[int, Policy]:
    """{version id: policy} for many versions: their content is fetched only for those not
    read yet (at most two queries)."""
    keys = dict(
        PolicyVersion.objects.filter(pk__in=set(version_ids) - {None}).values_list("pk", "sha256")
    )
    missing = [pk for pk, sha in keys.items() if (pk, sha) not in _POLICIES]
    for version in PolicyVersion.objects.filter(pk__in=missing).only("pk", "sha256", "content"):
        policy_of_version(version)
    return {pk: _POLICIES[(pk, sha)] for pk, sha in keys.items() if (pk, sha) in _POLICIES}


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

"""A council's letters as its policy pack declares them (the `letters` section): the
letterhead, the reference scheme, and each letter's template (under `policies/letters/`, kept
with the packs), title, signatory, copies, enclosures and whether receipt is to be confirmed
(003 Tables 4 and 5: "Please could you confirm receipt of this letter")."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from core.errors import NotFound
from councils.policy import PackPart, policy_of, policy_of_version
from notices.render import TemplateProblem, letter_html, templates_dir
from notices.samples import CASE_FACTS, RESTRICTION_FACTS, sample

SCHEMA = Path(__file__).with_name("pack_schema.json")


@dataclass(frozen=True)
class LetterTemplate:
    key: str
    title: str
    template: str
    seed: str
    signatory: str
    to: str = "owner"
    copies: tuple[str, ...] = ()
    enclosures: tuple[str, ...] = ()
    confirm_receipt: bool = False
    confidential: bool = False
    quote: str = ""
    written_by: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Letterhead:
    name: str
    address: tuple[str, ...]
    department: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""


@dataclass(frozen=True)
class Letters:
    reference_prefix: str
    letterhead: Letterhead
    templates: dict[str, LetterTemplate]

    @classmethod
    def read(cls, content: dict) -> Letters | None:
        section = content.get("letters")
        if section is None:
            return None
        head = section["letterhead"]
        return cls(
            reference_prefix=section["reference_prefix"],
            letterhead=Letterhead(**{**head, "address": tuple(head["address"])}),
            templates={
                key: LetterTemplate(
                    key=key,
                    **{
                        **t,
                        "copies": tuple(t.get("copies", ())),
                        "enclosures": tuple(t.get("enclosures", ())),
                        "written_by": frozenset(t.get("written_by", ())),
                    },
                )
                for key, t in section["templates"].items()
            },
        )

    @classmethod
    def of(cls, council) -> Letters:
        found = policy_of(council).section("letters") if council.active_policy_id else None
        if found is None:
            raise NotFound(f"{council}'s policy in force has no letters.")
        return found

    @classmethod
    def of_version(cls, version) -> Letters | None:
        return policy_of_version(version).section("letters")

    def template(self, key: str) -> LetterTemplate | None:
        return self.templates.get(key)

    def by_hand(self, roles) -> list[LetterTemplate]:
        """The letters these roles may start by hand (no move or decision asks for them)."""
        return [t for t in self.templates.values() if t.written_by & set(roles)]


def _asked_for(content: dict) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Every letter the pack's other sections ask for: (letter, where, which facts it gets,
    the questions the move's form asks)."""
    out = []
    for i, move in enumerate(content.get("escalation", {}).get("moves", [])):
        asks = tuple(f["key"] for f in move.get("fields", []) if isinstance(f, dict))
        for j, effect in enumerate(move.get("effects", [])):
            if effect.get("kind") == "letter":
                where = f"escalation.moves[{i}].effects[{j}]"
                out.append((effect["letter"], where, "case", asks))
    for i, tell in enumerate(content.get("restrictions", {}).get("tell", [])):
        if tell.get("letter"):
            out.append((tell["letter"], f"restrictions.tell[{i}]", "restriction", ()))
    return out


def check_letters(content: dict, problem) -> None:
    """Every template file exists, and every letter the pack asks for has a template."""
    section = content.get("letters")
    asked = _asked_for(content)
    if section is None:
        if asked:
            problem("letters", "the pack asks for letters: give their templates")
        return
    for key, t in section.get("templates", {}).items():
        if not (templates_dir() / t["template"]).is_file():
            problem(
                f"letters.templates.{key}.template", f"no file policies/letters/{t['template']}"
            )
    templates = section.get("templates", {})
    for key, t in templates.items():
        if t.get("written_by") and (templates_dir() / t["template"]).is_file():
            _renders(key, t["template"], "none", (), problem)
    for letter, where, facts, asks in asked:
        if letter not in templates:
            problem(where, f"the letter {letter!r} has no template in letters.templates")
        elif (templates_dir() / templates[letter]["template"]).is_file():
            _renders(letter, templates[letter]["template"], facts, asks, problem)


PART = PackPart(
    name="notices",
    schema=SCHEMA,
    readers={"letters": Letters.read},
    check=check_letters,
)


def _renders(key: str, template: str, facts: str, asks: tuple[str, ...], problem) -> None:
    """A template must fill from the data its request gives (notices.samples: a case's move,
    with the answers its form asks for, or a restriction's notice): one that names a field its
    letters lack is refused when the pack is loaded, not when a letter is issued."""
    given = copy.deepcopy({"case": CASE_FACTS, "restriction": RESTRICTION_FACTS}.get(facts, {}))
    if facts == "case":
        given["move"]["answers"] = dict.fromkeys(asks, "")
    try:
        letter_html(template, sample(given))
    except TemplateProblem as exc:
        problem(f"letters.templates.{key}.template", exc.message)

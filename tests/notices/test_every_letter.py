"""Every letter of every council renders to a tagged PDF whose text holds the provider's name,
the date, the reference and the seed's key sentences (issue: letters)."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import pytest
import yaml

from notices.pack import _asked_for
from notices.render import letter_pdf
from notices.samples import CASE_FACTS, RESTRICTION_FACTS, sample

PACKS = Path(__file__).resolve().parents[2] / "policies"

# The sentences each seed asks a letter to say, in its own words.
KEY_SENTENCES = {
    # 003 Appendix 1 Table 4 and Table 5.
    ("somerset", "rectification_notice", "case"): [
        "within a maximum of six months from being issued with a Final Warning Notice",
        "Rectification Notice",
    ],
    ("somerset", "final_warning_notice", "case"): [
        "within a maximum of six months from being issued with a Final Warning Notice",
        "Letter of Termination",
    ],
    ("somerset", "qim_invitation", "case"): ["Quality Improvement Meeting"],
    # 004 19.1: "outlining the reasons for the decision and the right to appeal".
    ("west-berkshire", "decision_letter", "restriction"): ["appeal", "10 working days"],
    # 004 19.2: the outcome of the appeal in writing.
    ("west-berkshire", "appeal_outcome_letter", "restriction"): ["APP-2027-0001"],
    # 000 5.i: "that LBB could not recommend placing with the provider".
    ("bromley", "family_choice_letter", "hand"): ["could not recommend placing with this"],
    # 003 Appendix 1 Table 3: the actions agreed, by whom and when.
    ("somerset", "qim_notes", "hand"): ["Actions agreed", "Action by"],
    # 000 Appendix 2: the form's rows.
    ("bromley", "dass_agreement_form", "case"): ["Anticipated date of next CQC visit"],
}


def letters_of_every_pack():
    """(council, letter, template, which facts): each letter once for each kind of request
    that asks for it (a case's move, a restriction's notice), or by hand."""
    for path in sorted(PACKS.glob("*.yaml")):
        content = yaml.safe_load(path.read_text())
        templates = (content.get("letters") or {}).get("templates", {})
        asked = _asked_for(content)
        for key, entry in templates.items():
            kinds = sorted({kind for letter, _, kind, _ in asked if letter == key}) or ["hand"]
            for kind in kinds:
                yield path.stem, key, entry["template"], kind


def _facts(code: str, key: str, kind: str) -> dict:
    """The facts a letter's request gives: a restriction's notice, or a case's move with the
    answers its form asks for; a letter started by hand has none."""
    if kind == "restriction":
        return copy.deepcopy(RESTRICTION_FACTS)
    if kind == "hand":
        return {}
    content = yaml.safe_load((PACKS / f"{code}.yaml").read_text())
    asks = {a for letter, _, k, found in _asked_for(content) if letter == key for a in found}
    facts = copy.deepcopy(CASE_FACTS)
    facts["move"]["answers"] = dict.fromkeys(asks, "Given")
    return facts


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_every_council_that_asks_for_letters_has_them():
    councils = {code for code, *_ in letters_of_every_pack()}
    assert {"somerset", "west-berkshire", "bedford", "bromley"} <= councils


@pytest.mark.parametrize(("code", "key", "template", "kind"), list(letters_of_every_pack()))
def test_each_letter_renders_with_the_provider_date_reference_and_key_sentences(
    code, key, template, kind
):
    data = sample(_facts(code, key, kind))
    data["provider"]["name"] = data["to"]["organisation"] = "Quillfeather Homes Ltd"
    data["location"]["name"] = data["subject_name"] = "Quillfeather Lodge"
    data["letter"]["reference"] = "TEST/REF-2027-0042"
    data["letter"]["date"] = "7 January 2027"
    pdf = letter_pdf(template, data)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for needed in ("Quillfeather", "7 January 2027", "TEST/REF-2027-0042"):
        assert needed in text, (code, key, needed)
    for sentence in KEY_SENTENCES.get((code, key, kind), []):
        assert sentence in text, (code, key, sentence)
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    meta = info.stdout.decode()
    assert "Tagged:          yes" in meta
    assert "Quillfeather" in meta  # the title names the service


def test_a_whole_provider_letter_renders_too():
    for code, key, template, kind in letters_of_every_pack():
        data = sample(
            _facts(code, key, kind), location={}, subject_name="Willow Care Ltd (all services)"
        )
        assert "Willow Care Ltd" in pdf_text(letter_pdf(template, data)), (code, key, kind)

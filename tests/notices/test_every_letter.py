"""Every letter of every council renders to a tagged PDF whose text holds the provider's name,
the date, the reference and the seed's key sentences (issue: letters)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from notices.render import letter_pdf
from notices.samples import CASE_FACTS, RESTRICTION_FACTS, sample

PACKS = Path(__file__).resolve().parents[2] / "policies"

# The sentences each seed asks a letter to say, in its own words.
KEY_SENTENCES = {
    # 003 Appendix 1 Table 4 and Table 5.
    ("somerset", "rectification_notice"): [
        "within a maximum of six months from being issued with a Final Warning Notice",
        "Rectification Notice",
    ],
    ("somerset", "final_warning_notice"): [
        "within a maximum of six months from being issued with a Final Warning Notice",
        "Letter of Termination",
    ],
    ("somerset", "qim_invitation"): ["Quality Improvement Meeting"],
    # 004 19.1: "outlining the reasons for the decision and the right to appeal".
    ("west-berkshire", "decision_letter"): ["appeal", "10 working days"],
    # 004 19.2: the outcome of the appeal in writing.
    ("west-berkshire", "appeal_outcome_letter"): ["APP-2027-0001"],
}


def letters_of_every_pack():
    for path in sorted(PACKS.glob("*.yaml")):
        content = yaml.safe_load(path.read_text())
        for key, entry in (content.get("letters") or {}).get("templates", {}).items():
            yield path.stem, key, entry["template"]


def _asked_by_restrictions(code: str, key: str) -> bool:
    content = yaml.safe_load((PACKS / f"{code}.yaml").read_text())
    tells = content.get("restrictions", {}).get("tell", [])
    return any(t.get("letter") == key for t in tells)


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_every_council_that_asks_for_letters_has_them():
    councils = {code for code, _, _ in letters_of_every_pack()}
    assert {"somerset", "west-berkshire", "bedford", "bromley"} <= councils


@pytest.mark.parametrize(("code", "key", "template"), list(letters_of_every_pack()))
def test_each_letter_renders_with_the_provider_date_reference_and_key_sentences(
    code, key, template
):
    facts = RESTRICTION_FACTS if _asked_by_restrictions(code, key) else CASE_FACTS
    data = sample(facts)
    data["provider"]["name"] = data["to"]["organisation"] = "Quillfeather Homes Ltd"
    data["location"]["name"] = data["subject_name"] = "Quillfeather Lodge"
    data["letter"]["reference"] = "TEST/REF-2027-0042"
    data["letter"]["date"] = "7 January 2027"
    pdf = letter_pdf(template, data)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for needed in ("Quillfeather", "7 January 2027", "TEST/REF-2027-0042"):
        assert needed in text, (code, key, needed)
    for sentence in KEY_SENTENCES.get((code, key), []):
        assert sentence in text, (code, key, sentence)
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    meta = info.stdout.decode()
    assert "Tagged:          yes" in meta
    assert "Quillfeather" in meta  # the title names the service


def test_a_whole_provider_letter_renders_too():
    for code, key, template in letters_of_every_pack():
        facts = RESTRICTION_FACTS if _asked_by_restrictions(code, key) else CASE_FACTS
        data = sample(facts, location={}, subject_name="Willow Care Ltd (all services)")
        assert "Willow Care Ltd" in pdf_text(letter_pdf(template, data)), (code, key)

"""The decision in words, not "Approve / Do not approve" (issue 13, item 4)."""

from types import SimpleNamespace as NS

from decisions.forms import outcome_words


def test_an_instruction_reads_as_itself_and_its_negation():
    rec = NS(
        label="Issue a Rectification Notice", location=NS(name="Willow Gardens"), provider=None
    )
    assert outcome_words(rec) == (
        "Issue a Rectification Notice: Willow Gardens",
        "Do not issue a Rectification Notice",
    )


def test_a_label_naming_its_place_is_not_repeated_and_a_state_is_agreed_or_not():
    rec = NS(label="New placements restricted for Hill Gardens", location=NS(name="Hill Gardens"))
    assert outcome_words(rec) == (
        "New placements restricted for Hill Gardens",
        "Do not agree: New placements restricted for Hill Gardens",
    )


def test_no_label_falls_back_to_approve():
    assert outcome_words(NS(label="", location=None, provider=None)) == (
        "Approve",
        "Do not approve",
    )

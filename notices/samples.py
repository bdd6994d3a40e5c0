"""A letter's data with every field filled, as `notices.data.letter_data` makes it and the
letter sources give their facts: the contract a council's template may rely on (documented in
docs/letters.md). Used to check every template of a pack renders (`manage.py letters_check`)
and by the tests."""

from __future__ import annotations

import copy

COMMON = {
    "council": {
        "name": "Somerset County Council",
        "department": "Adults and Health, Quality Assurance Service",
        "address": ["County Hall", "Taunton", "TA1 4DY"],
        "phone": "0300 123 2224",
        "email": "quality@example.gov.uk",
        "website": "www.example.gov.uk",
    },
    "letter": {
        "kind": "rectification_notice",
        "title": "Rectification Notice",
        "seed": "003 Appendix 1 Table 4",
        "reference": "QA/SCC-2026-0001",
        "date": "4 January 2027",
        "version": 1,
        "replaces_reference": "",
        "replaces_date": "",
        "confidential": True,
        "confirm_receipt": True,
        "copies": ["Registered Manager"],
        "enclosures": ["Contract, Risk Management and Quality Policy"],
        "note": "",
    },
    "to": {
        "name": "Jane Owner",
        "role": "Nominated Individual",
        "organisation": "Willow Care Ltd",
        "address": ["1 High Street", "Taunton", "TA1 1AA"],
        "email": "owner@example.org",
        "salutation": "Jane Owner",
    },
    "please_ask_for": {"name": "Sam Officer", "post": "", "email": "sam@example.gov.uk"},
    "signatory": {
        "name": "Alex Chair",
        "post": "Chair of Commissioning & Quality Board",
        "email": "",
    },
    "case": {"reference": "CASE-2026-0001"},
    "provider": {
        "name": "Willow Care Ltd",
        "nominated_individual": "Jane Owner",
        "address": ["1 High Street", "Taunton", "TA1 1AA"],
    },
    "location": {
        "name": "Willow Gardens",
        "address": ["2 Mill Lane", "Taunton", "TA1 2BB"],
        "cqc_location_id": "1-000000001",
        "overall_rating": "Requires improvement",
        "inspected_on": "12 October 2026",
        "domain_ratings": [
            {"domain": "Safe", "rating": "Requires improvement"},
            {"domain": "Effective", "rating": "Good"},
            {"domain": "Caring", "rating": "Good"},
            {"domain": "Responsive", "rating": "Good"},
            {"domain": "Well-led", "rating": "Inadequate"},
        ],
        "domains_below_good": ["Safe", "Well-led"],
    },
    "plan": {
        "title": "Serious Concerns action plan",
        "kind": "Serious Concerns action plan",
        "started_on": "2 December 2026",
        "actions": [
            {
                "what": "Medicines administration records completed at every round",
                "who_improves": "Registered Manager",
                "who_monitors": "Sam Officer",
                "by_when": "16 December 2026",
                "status": "Open",
            }
        ],
    },
    "subject_name": "Willow Gardens",
}

# What a case's move gives (concerns.letters).
CASE_FACTS = {
    "case": {"reference": "CASE-2026-0001", "opened_on": "1 September 2026", "stage": "Formal"},
    "move": {
        "label": "Issue a Rectification Notice",
        "from_stage": "Formal stage",
        "to_stage": "Rectification Notice",
        "on": "3 January 2027",
        "reason": "Medicines not managed safely at two visits.",
        "answers": {},
    },
    "decision": {
        "by": "Alex Chair",
        "on": "3 January 2027",
        "reasons": "Improvement not sustained since the Quality Improvement Meeting.",
        "reference": "DEC-2027-0001",
    },
    "deadlines": [{"label": "Evidence sustained improvement", "due_on": "3 July 2027"}],
}

# What a restriction's notice gives (restrictions.letters).
RESTRICTION_FACTS = {
    "when": "imposed",
    "when_words": "put in place",
    "restriction": {
        "reference": "RES-2026-0001",
        "level": "Embargo",
        "placing": "No new placements",
        "previous_level": "",
        "scope": "Willow Gardens",
        "whole_provider": False,
        "reasons": "Two safeguarding enquiries substantiated in November.",
        "exceptions": "Placements agreed by the Head of Commissioning.",
        "review_on": "4 April 2027",
        "hold_until": "",
        "decided_on": "23 December 2026",
        "decided_by": "Head of Commissioning",
        "since": "23 December 2026",
        "ended_on": "",
        "reason_for_change": "Two safeguarding enquiries substantiated in November.",
        "on": "23 December 2026",
        "contact": {"name": "Sam Officer", "phone": "01234 567890", "email": "sam@example.gov.uk"},
    },
    "appeal": {"window": "10 working days", "to": "Service Director", "seed": "004 19.2"},
    "appeal_outcome": {
        "reference": "APP-2027-0001",
        "received_on": "6 January 2027",
        "upheld": False,
        "status": "Dismissed: the decision stands",
        "outcome": "The evidence does not show the concerns were resolved.",
        "decided_on": "20 January 2027",
    },
}


def sample(facts: dict | None = None, **changes) -> dict:
    """The sample data with these facts (both sources' by default) and top-level changes."""
    data = copy.deepcopy(COMMON)
    data["facts"] = (
        copy.deepcopy(facts)
        if facts is not None
        else {
            **copy.deepcopy(CASE_FACTS),
            **copy.deepcopy(RESTRICTION_FACTS),
        }
    )
    data.update(changes)
    return data

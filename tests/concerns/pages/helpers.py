"""Case builders and page readers shared by the escalation page tests."""

import re

from concerns.models import Case
from concerns.services import case_move, case_open
from decisions.models import Recommendation
from tests.factories import LocationFactory


def open_case(council, location=None) -> Case:
    return case_open(
        council=council,
        actor=None,
        summary="Concerns about care",
        location=location or LocationFactory(),
    )


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def by_testid(page: str, name: str) -> str:
    """The element with data-testid=name, up to the end of its first closing tag of the
    same kind (enough for the lists and tables these pages mark)."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{name}"[^>]*>', page)
    assert match, f"no data-testid={name}"
    tag = match.group(1)
    end = page.find(f"</{tag}>", match.end())
    return page[match.start() : end]


def propose_termination(wb, case=None) -> Recommendation:
    """West Berkshire: the CQO recommends terminating commissioning (004 17.1), with the legal
    advice it needs (004 17.2); the chain in 004 18 decides."""
    return case_move(
        case=case or open_case(wb.council),
        actor=wb.officer,
        move="terminate_commissioning",
        reason="Continuing risk of significant harm",
        evidence=[{"kind": "legal_advice", "note": "Legal Services advice of 5 January"}],
    )


def at_formal(sm) -> Case:
    case = open_case(sm.council)
    case_move(case=case, actor=sm.officer, move="invoke_quality_improvement", reason="RI")
    case.refresh_from_db()
    return case

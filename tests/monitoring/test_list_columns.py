"""Columns other lists gain (issue 13, item 1): search shows the RAG and the case's stage; the
risk matrix adds the case's stage, the trend and the last review; each one query a page."""

import datetime as dt

import pytest

from concerns.services import case_open
from monitoring.models import Rag, Review, ReviewStatus, RiskHistory, RiskRating
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def _rated(council, location, *rags):
    for rag in rags:
        RiskHistory.objects.create(
            council=council, location=location, score=1, computed_rag=rag, rag=rag, note="t"
        )
    RiskRating.objects.create(
        council=council,
        location=location,
        score=1,
        computed_rag=rags[-1],
        rag=rags[-1],
        factors=[],
        computed_at="2026-11-01T10:00:00Z",
        policy_version=council.active_policy,
    )


def test_search_shows_the_rag_and_the_case(council_a, officer_a, signed_in):
    home = LocationFactory(name="Ash House", local_authority="Bromley")
    _rated(council_a, home, Rag.RED)
    case = case_open(council=council_a, actor=officer_a, summary="Concerns", location=home)
    page = signed_in(officer_a).get("/locations/?q=Ash").content.decode()
    assert 'govuk-tag--red">Red</strong>' in page
    assert f'href="/cases/{case.pk}/"' in page


def test_the_risk_matrix_shows_trend_and_last_review(council_a, officer_a, signed_in):
    worse = LocationFactory(name="Ash House", local_authority="Bromley")
    better = LocationFactory(name="Elm Court", local_authority="Bromley")
    _rated(council_a, worse, Rag.GREEN, Rag.AMBER, Rag.RED)
    _rated(council_a, better, Rag.RED, Rag.GREEN)
    Review.objects.create(
        council=council_a,
        location=worse,
        kind="compliance_visit",
        status=ReviewStatus.COMPLETED,
        visited_on=dt.date(2026, 10, 2),
        created_by_label="An officer",
    )
    page = signed_in(officer_a).get("/risk/?sort=name").content.decode()
    rows = page[page.index("Ash House") :]
    assert "Worsening" in rows[: rows.index("Elm Court")]
    assert "was amber" in rows[: rows.index("Elm Court")]
    assert "2 Oct 2026" in rows[: rows.index("Elm Court")]
    assert "Contract compliance visit" in rows[: rows.index("Elm Court")]
    assert "Improving" in rows[rows.index("Elm Court") :]

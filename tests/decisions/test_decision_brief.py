"""What the decider needs beside the decision (issue 13, item 4): the CQC rating and its
report, the risk rating and what drives it, the improvement plan, the last review and open
safeguarding, each from the app that holds it, with links."""

import datetime as dt

import pytest

from monitoring.models import ImprovementPlan, Rag, Review, ReviewStatus, RiskRating
from tests.decisions.conftest import DASS_CHAIN
from tests.decisions.permits.kind import propose
from tests.factories import RatingFactory

pytestmark = pytest.mark.django_db


def test_the_decision_page_shows_the_services_facts_with_links(client, bromley, permit):
    b = bromley
    p = permit(b.council)
    location = p.location
    location.cqc_location_id = "1-2000000001"
    location.save()
    RatingFactory(
        location=location,
        overall="Requires improvement",
        safe="Inadequate",
        report_date=dt.date(2026, 3, 2),
    )
    RiskRating.objects.create(
        council=b.council,
        location=location,
        score=12.5,
        computed_rag=Rag.RED,
        rag=Rag.RED,
        factors=[{"factor": "CQC rating", "detail": "Safe inadequate", "points": 8}],
        computed_at="2026-03-03T10:00:00Z",
        policy_version=b.council.active_policy,
    )
    ImprovementPlan.objects.create(
        council=b.council, location=location, title="Medicines plan", started_on=dt.date(2026, 3, 9)
    )
    Review.objects.create(
        council=b.council,
        location=location,
        kind="compliance_visit",
        status=ReviewStatus.COMPLETED,
        visited_on=dt.date(2026, 4, 1),
        created_by_label="An officer",
    )
    rec = propose(p, b.officer, approval=DASS_CHAIN)
    client.force_login(b.dass)
    page = client.get(f"/decisions/{rec.pk}/").content.decode()
    brief = page[page.index('data-testid="decision-brief"') :]
    assert "Requires improvement, report of 2 March 2026" in brief
    assert "https://www.cqc.org.uk/location/1-2000000001" in brief
    assert "Below Good in: Safe" in brief
    assert "Red, score 12.5" in brief and "CQC rating: Safe inadequate" in brief
    assert "Medicines plan: active since 9 March 2026" in brief
    assert "Contract compliance visit on 1 April 2026" in brief
    assert "None open" in brief
    assert f"/locations/{location.pk}/" in brief

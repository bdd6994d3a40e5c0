"""A rated review type (001: Bedford's PAMMS assessment) takes its rating through the API and
the page, as the service does, so the 12-week Provider of Concern rule (001 App. 2) can be
reached by any client."""

import datetime as dt

import pytest
from django.utils import timezone

from concerns.triggers import RI_TIMER
from core.models import Timer
from councils.models import Role
from monitoring.models import Review
from monitoring.pack import review_rules
from monitoring.services import review_plan
from tests.factories import LocationFactory
from tests.monitoring.api.helpers import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def bedford(load_pack, member):
    council = load_pack("bedford")
    officer = member(council, Role.OFFICER)
    location = LocationFactory(local_authority="Bedford")
    visited = timezone.localdate() - dt.timedelta(days=3)
    review = review_plan(
        council=council,
        location=location,
        actor=officer,
        kind="pamms_assessment",
        planned_for=visited,
    )
    return council, officer, review, visited


def test_the_api_records_a_pamms_rating_and_starts_the_12_week_clock(
    bedford, api_as, django_capture_on_commit_callbacks
):
    """001 App. 2: PAMMS "Require Improvements where improvements are not evident or
    sustained within 12 weeks"."""
    council, officer, review, visited = bedford
    url = f"/api/v1/reviews/{review.pk}/record/"
    missing = api_as(officer).post(
        url, {"visited_on": visited.isoformat(), "findings": "Care plans"}, format="json"
    )
    assert missing.status_code == 400
    assert missing.json()["errors"]["rating"] == ["Give the PAMMS assessment rating."]
    bad = api_as(officer).post(
        url,
        {"visited_on": visited.isoformat(), "findings": "Care plans", "rating": "Poor"},
        format="json",
    )
    assert bad.status_code == 400 and "rating" in field_errors(bad)
    with django_capture_on_commit_callbacks(execute=True):
        done = api_as(officer).post(
            url,
            {
                "visited_on": visited.isoformat(),
                "findings": "Care plans need work",
                "rating": "Requires improvement",
            },
            format="json",
        )
    assert done.status_code == 200, done.content
    assert done.json()["rating"] == "Requires improvement"
    assert Timer.objects.get(council=council, kind=RI_TIMER).due_on == visited + dt.timedelta(
        weeks=12
    )


def test_an_unrated_type_refuses_a_rating_through_the_api(load_pack, member, api_as):
    council = load_pack("bedford")
    officer = member(council, Role.OFFICER)
    unrated = next(k for k, t in review_rules(council).types.items() if not t.rated)
    review = review_plan(
        council=council,
        location=LocationFactory(local_authority="Bedford"),
        actor=officer,
        kind=unrated,
        planned_for=timezone.localdate(),
    )
    response = api_as(officer).post(
        f"/api/v1/reviews/{review.pk}/record/",
        {
            "visited_on": timezone.localdate().isoformat(),
            "findings": "Fine",
            "rating": "Good",
        },
        format="json",
    )
    assert response.status_code == 400 and "rating" in field_errors(response)


def test_the_page_asks_for_the_pamms_rating(bedford, signed_in):
    council, officer, review, visited = bedford
    client = signed_in(officer)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "PAMMS assessment rating" in page
    form = {
        "action": "record",
        "record-visited_on": visited.isoformat(),
        "record-announced": "True",
        "record-findings": "Care plans need work",
    }
    missing = client.post(f"/reviews/{review.pk}/", form).content.decode()
    assert "Choose the rating" in missing
    done = client.post(f"/reviews/{review.pk}/", {**form, "record-rating": "Inadequate"})
    assert done.status_code == 302
    assert Review.objects.get(pk=review.pk).rating == "Inadequate"

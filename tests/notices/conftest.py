"""Letters tests: each council's team (from the restrictions tests), a provider with a postal
address, and a letter written from a real request (a restriction's decision, a case's move)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from concerns.models import LetterRequest
from concerns.services import case_open
from notices.models import Letter
from notices.services import letter_write
from tests.factories import LocationFactory, ProviderFactory, RatingFactory
from tests.restrictions.conftest import (  # noqa: F401  (fixtures)
    bedford,
    bromley,
    put_in_place,
    somerset,
    team,
    wb,
)
from tests.test_browser import (  # noqa: F401  (the browser walk's fixtures)
    _async_unsafe_allowed,
    _fresh_cache,
    browser,
    page,
)


@pytest.fixture
def willow(db):
    """A home with its owner and postal address in the register, rated Requires improvement."""
    provider = ProviderFactory(
        name="Willow Care Ltd",
        nominated_individual="Jane Owner",
        address="1 High Street, Newbury",
        postcode="RG14 1AA",
    )
    location = LocationFactory(
        provider=provider,
        name="Willow Gardens",
        address_line1="2 Mill Lane",
        town="Newbury",
        postcode="RG14 2BB",
    )
    RatingFactory(
        location=location,
        report_date=timezone.localdate().replace(day=1),
        overall="Requires improvement",
        safe="Inadequate",
    )
    return location


def restriction_letter(people, location) -> Letter:
    """The decision letter a restriction put in place asks for (004 19.1), written."""
    r = put_in_place(people, location=location)
    notice = r.notices.get(audience="provider", when="imposed")
    return letter_write(council=people.council, source="restrictions.notice", request_id=notice.pk)


def case_letter(people, location, letter: str) -> Letter:
    """A letter a case's move asks for (the request a `letter` effect leaves), written."""
    case = case_open(
        council=people.council,
        actor=people.officer,
        summary="Medicines not managed safely",
        location=location,
        lead_officer=people.officer,
    )
    request = LetterRequest.objects.create(
        council=people.council, case=case, letter=letter, label=letter, seed="test"
    )
    return letter_write(council=people.council, source="concerns.letter", request_id=request.pk)

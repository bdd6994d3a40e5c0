"""The placement check page (issue 9, 4: "the fastest page in the product, and the start page of
placement staff"), the status banner on every location page for every role, and the status
column in the register's search and the risk matrix; with what other councils share, and
nothing they do not."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Role
from monitoring.services.risk import risk_recompute
from restrictions.models import PlacementCheck
from tests.concerns.pages.helpers import by_testid, html
from tests.factories import LocationFactory, ProviderFactory, RatingFactory
from tests.restrictions.conftest import CONTACT, lift, put_in_place, two_services

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role.values)
STAFF = [r for r in ALL_ROLES if r != Role.EXTERNAL]  # a partner on a board sees its board only


def rows_of(page: str) -> list[str]:
    table = by_testid(page, "placement-results")
    return re.findall(
        r'<tr class="govuk-table__row" data-testid="placement-row">(.*?)</tr>', table, re.S
    )


# --- the placement check ---------------------------------------------------------------------


def test_the_check_shows_each_matchs_status_in_the_councils_words_and_colour(
    wb, bedford, signed_in
):
    """004 13.2: "Embargo ... Do not make any placements with this Provider"; 003 memo:
    "Staff must first contact the named manager before making contact with the provider"."""
    provider, first, second = two_services()
    first.overall_rating, first.rating_date = "Inadequate", dt.date(2025, 11, 2)
    first.save(update_fields=["overall_rating", "rating_date"])
    r = put_in_place(wb, location=first)
    put_in_place(bedford, location=second, level="caution")
    response = signed_in(wb.placement).get("/placements/?q=Kennet")
    page = html(response)
    assert "2 services found" in page
    rows = rows_of(page)
    assert len(rows) == 2
    lodge, view = rows  # by name
    assert "Kennet View Nursing Home" in view and "Kennet Lodge" in lodge
    # Its own status: the word, the colour, since when and what to do.
    assert '<strong class="govuk-tag govuk-tag--red">Embargo</strong>' in view
    assert f"since {r.level_since:%-d %B %Y}" in view
    assert "Do not make any placements with this Provider" in view
    # Whom to call first.
    assert CONTACT["name"] in view
    assert 'href="tel:01635519000"' in view
    assert f'href="mailto:{CONTACT["email"]}"' in view
    # The CQC rating.
    assert "Inadequate" in view and "2 Nov 2025" in view
    # The other service: none of West Berkshire's, but Bedford's shared sanction.
    assert (
        '<strong class="govuk-tag govuk-tag--green">No Restrictions on Placements</strong>' in lodge
    )
    assert "Not needed" in lodge
    assert re.search(
        r"Bedford Borough:</strong> .*New placements restricted</strong>", lodge, re.S
    ), lodge
    assert "This check is recorded." in page


def test_every_check_on_the_page_is_logged(wb, signed_in):
    location = LocationFactory(name="Willow House")
    put_in_place(wb, location=location)
    signed_in(wb.placement).get("/placements/?q=Willow")
    check = PlacementCheck.objects.get()
    assert (check.user, check.via, check.query, check.found) == (
        wb.placement,
        "page",
        "Willow",
        1,
    )
    assert check.shown == [[location.pk, "suspended", []]]


def test_a_check_by_cqc_id_or_postcode_finds_the_service(wb, signed_in):
    location = LocationFactory(
        name="Willow House",
        postcode="RG14 1AA",
        postcode_key="RG141AA",
        cqc_location_id="1-101641361",
    )
    client = signed_in(wb.placement)
    for q in ("1-101641361", "RG14 1"):
        assert "Willow House" in html(client.get(f"/placements/?q={q}")), q
    assert location.pk


def test_an_empty_check_shows_the_error_summary(wb, signed_in):
    response = signed_in(wb.placement).get("/placements/?q=")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page
    summary = page[page.index("govuk-error-summary") :]
    assert '<a href="#id_q">Enter a name, postcode or CQC ID</a>' in summary
    assert not PlacementCheck.objects.exists()


def test_no_match_says_what_to_try(wb, signed_in):
    page = html(signed_in(wb.placement).get("/placements/?q=Nowhere"))
    assert "No service found" in page
    assert "try the postcode or the CQC ID" in page
    assert PlacementCheck.objects.get().found == 0


def test_the_check_runs_the_same_queries_for_2_or_20_matches(wb, bedford, signed_in):
    """Issue 9, Performance: the placement check page is the fastest page; a fixed number of
    queries (the page of matches, then two for their statuses)."""
    few = ProviderFactory()
    many = ProviderFactory()
    for i in range(2):
        LocationFactory(provider=few, name=f"Alder House {i}")
    for i in range(20):
        loc = LocationFactory(provider=many, name=f"Birch House {i}")
        if i % 3 == 0:
            put_in_place(bedford, location=loc, level="caution")
    put_in_place(wb, provider=few)
    put_in_place(wb, provider=many)
    client = signed_in(wb.placement)
    client.get("/placements/?q=warm-up")
    counts = []
    for q, size in (("Alder", 2), ("Birch", 20)):
        with CaptureQueriesContext(connection) as ctx:
            page = html(client.get(f"/placements/?q={q}"))
        assert len(rows_of(page)) == size
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_placement_staff_start_with_the_check(wb, signed_in):
    page = html(signed_in(wb.placement).get("/"))
    assert "May I place someone here?" in page
    assert 'action="/placements/"' in page
    assert 'name="q"' in page
    # An officer starts with what waits for the quality team instead.
    officer_page = html(signed_in(wb.officer).get("/"))
    assert 'action="/placements/"' not in officer_page
    assert 'data-testid="restrictions-waiting"' in officer_page


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_in_the_council_may_check(role, wb, signed_in):
    response = signed_in(wb.by_role[role]).get("/placements/?q=Kennet")
    assert response.status_code == (403 if role == Role.EXTERNAL else 200)


# --- the location banner ---------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_the_location_page_shows_the_status_banner_for_every_role(role, wb, signed_in):
    location = LocationFactory()
    r = put_in_place(wb, location=location)
    page = html(signed_in(wb.by_role[role]).get(f"/locations/{location.pk}/"))
    banner = page[page.index('data-testid="placement-banner"') :]
    banner = banner[: banner.index("</div>")]
    assert "Embargo" in banner and f"since {r.level_since:%-d %B %Y}" in banner
    assert CONTACT["name"] in banner
    see = f'href="/restrictions/{r.pk}/"'
    if role == Role.PLACEMENT:
        assert see not in banner  # placement staff never see the restriction behind it
    else:
        assert see in banner


def test_the_banner_says_no_restriction_in_the_councils_words(somerset, signed_in):
    location = LocationFactory()
    page = html(signed_in(somerset.placement).get(f"/locations/{location.pk}/"))
    banner = by_testid(page, "placement-banner")
    assert "GREEN: SCC placing" in banner


def test_a_whole_provider_restriction_shows_on_each_services_banner(wb, signed_in):
    provider, first, second = two_services()
    put_in_place(wb, location=first, whole_provider=True)
    client = signed_in(wb.placement)
    for location in (first, second):
        page = html(client.get(f"/locations/{location.pk}/"))
        assert (
            "on all of the provider&#x27;s services" in page
            or "on all of the provider's services" in page
        )


# --- the status column -----------------------------------------------------------------------


def test_the_register_search_has_the_status_column(wb, bedford, signed_in):
    provider, first, second = two_services()
    put_in_place(wb, location=first)
    put_in_place(bedford, location=second)
    page = html(signed_in(wb.placement).get("/locations/?q=Kennet"))
    assert '<th scope="col" class="govuk-table__header">Placements</th>' in page
    view = page[page.index("Kennet View Nursing Home") :]
    view = view[: view.index("</tr>")]
    assert '<strong class="govuk-tag govuk-tag--red">Embargo</strong>' in view
    lodge = page[page.index("Kennet Lodge") :]
    lodge = lodge[: lodge.index("</tr>")]
    assert "No Restrictions on Placements" in lodge
    assert "Bedford Borough: Suspension of new placements" in lodge


def test_the_risk_matrix_has_the_status_column(wb, signed_in):
    provider, first, second = two_services()
    RatingFactory(location=first, overall="Inadequate", safe="Inadequate")
    put_in_place(wb, location=first)
    risk_recompute(council=wb.council)
    page = html(signed_in(wb.officer).get("/risk/"))
    assert '<th scope="col" class="govuk-table__header">Placements</th>' in page
    view = page[page.index("Kennet View Nursing Home") :]
    view = view[: view.index("</tr>")]
    assert '<strong class="govuk-tag govuk-tag--red">Embargo</strong>' in view
    lodge = page[page.index("Kennet Lodge") :]
    assert "No Restrictions on Placements" in lodge[: lodge.index("</tr>")]


# --- sharing on pages ------------------------------------------------------------------------


def test_a_shared_restriction_shows_on_the_other_councils_pages_until_lifted(
    wb, bedford, signed_in
):
    """001 Appendix 3 and 004 19.3: shown to the other council ("Embargo by West Berkshire
    since ..."); lifting withdraws it."""
    location = LocationFactory(name="Kennet View Nursing Home", local_authority="West Berkshire")
    r = put_in_place(wb, location=location)
    client = signed_in(bedford.placement)
    since = f"since {r.level_since:%-d %B %Y}"

    def pages():
        return {
            "check": html(client.get("/placements/?q=Kennet")),
            "banner": by_testid(html(client.get(f"/locations/{location.pk}/")), "placement-banner"),
            "search": html(client.get("/locations/?q=Kennet")),
        }

    shown = pages()
    for name in ("check", "banner"):
        shared = by_testid(shown[name], "shared")
        assert "West Berkshire:" in shared and "Embargo" in shared and since in shared, name
    assert "West Berkshire: Embargo" in shown["search"]
    lift(wb, r)
    for name, page in pages().items():
        assert 'data-testid="shared"' not in page, name
        assert "Embargo" not in page, name


@pytest.mark.parametrize("owner_code", ["somerset", "bromley"])
def test_an_unshared_restriction_never_shows_on_another_councils_pages(
    owner_code, team, wb, signed_in
):
    owner = team(owner_code)
    location = LocationFactory(name="Kennet View Nursing Home", local_authority="West Berkshire")
    r = put_in_place(owner, location=location)
    risk_recompute(council=wb.council)
    words = owner.pack.level("suspended").label
    for person in (wb.placement, wb.officer, wb.auditor):
        client = signed_in(person)
        for url in [
            "/placements/?q=Kennet",
            f"/locations/{location.pk}/",
            "/locations/?q=Kennet",
            "/restrictions/?status=all",
        ]:
            response = client.get(url)
            if response.status_code == 403:
                continue
            page = html(response)
            assert words not in page, (url, person)
            assert r.reference not in page, (url, person)
            assert 'data-testid="shared"' not in page, (url, person)
        assert client.get(f"/restrictions/{r.pk}/").status_code in (403, 404)
    risk = html(signed_in(wb.officer).get("/risk/"))
    assert words not in risk
    # Their own people see it.
    mine = html(signed_in(owner.placement).get("/placements/?q=Kennet"))
    assert words in mine

"""The frame every page shares (issue 13, item 6): the footer's help, accessibility statement
and privacy notice (required of public sector sites), a "Menu" button for small screens, and
GOV.UK-styled error pages."""

import pytest
from django.test import RequestFactory

from core.views import server_error
from councils.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/help/", "Help and contact"),
        ("/accessibility/", "Accessibility statement for Oversight"),
        ("/privacy/", "Privacy notice"),
    ],
)
def test_the_footer_pages_open_to_anyone(client, url, heading):
    answer = client.get(url)
    assert answer.status_code == 200
    assert heading in answer.content.decode()


def test_signed_in_they_name_the_council_and_its_contact_details(client, load_pack, member):
    council = load_pack("bromley")
    admin = member(council, Role.COUNCIL_ADMIN)
    client.force_login(member(council, Role.OFFICER))
    page = client.get("/help/").content.decode()
    assert "London Borough of Bromley" in page
    assert "020 8464 3333" in page  # the pack's letterhead
    assert (admin.get_full_name() or admin.username) in page
    assert (
        "London Borough of Bromley is the data controller"
        in client.get("/privacy/").content.decode()
    )


def test_every_page_links_them_from_its_footer(client):
    page = client.get("/accounts/login/").content.decode()
    for href in ('href="/help/"', 'href="/accessibility/"', 'href="/privacy/"'):
        assert href in page


def test_the_navigation_has_a_menu_button_for_small_screens(client, load_pack, member):
    council = load_pack("bromley")
    client.force_login(member(council, Role.OFFICER))
    page = client.get("/").content.decode()
    assert 'class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle"' in page
    assert 'aria-controls="navigation"' in page


def test_the_500_page_is_the_gov_uk_page():
    answer = server_error(RequestFactory().get("/somewhere/"))
    assert answer.status_code == 500
    page = answer.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert "govuk-frontend" in page and 'href="/help/"' in page


def test_the_api_500_stays_json():
    answer = server_error(RequestFactory().get("/api/v1/anything/"))
    assert answer["Content-Type"].startswith("application/json")

import pytest

pytestmark = pytest.mark.django_db


def test_officer_sees_start_page_with_their_council(officer_a, council_a, signed_in):
    response = signed_in(officer_a).get("/")
    assert response.status_code == 200
    assert council_a.name in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/locations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_start_page_names_the_role_in_the_councils_words(council_b, member, signed_in):
    from councils.models import Role

    officer = member(council_b, Role.OFFICER)
    label = council_b.active_policy.content["roles"]["officer"]["label"]
    assert f"<strong>{label}</strong>" in signed_in(officer).get("/").content.decode()

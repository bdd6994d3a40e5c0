"""The letters API, door by door: 401 without credentials; each role and token scope gets what
its permissions give and 403 elsewhere, changing nothing; another council's letter is 404; bad
input is 400 naming the field; a letter issued already is 409; and the happy path."""

from __future__ import annotations

import pytest

from councils.models import Role
from notices.models import IssuedLetter, Letter, LetterStatus
from tests.notices.conftest import restriction_letter

pytestmark = pytest.mark.django_db

LETTERS = "/api/v1/letters/"
DELIVERIES = "/api/v1/letter-deliveries/"
READERS = {
    Role.OFFICER,
    Role.MANAGER,
    Role.DECISION_MAKER,
    Role.COUNCIL_ADMIN,
    Role.AUDITOR,
    Role.BOARD_MEMBER,
}
ISSUERS = {Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER}


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", LETTERS),
        ("get", f"{LETTERS}1/"),
        ("patch", f"{LETTERS}1/"),
        ("post", f"{LETTERS}1/issue/"),
        ("get", f"{LETTERS}1/pdf/"),
        ("post", f"{LETTERS}1/posted/"),
        ("post", f"{LETTERS}1/receipt/"),
        ("post", f"{LETTERS}1/correct/"),
        ("post", f"{LETTERS}1/cancel/"),
        ("get", DELIVERIES),
        ("post", f"{DELIVERIES}1/bounce/"),
        ("post", f"{DELIVERIES}1/retry/"),
        ("get", "/api/v1/timers/"),
    ],
)
def test_401_without_credentials(method, url, api):
    assert getattr(api, method)(url, {}, format="json").status_code == 401


@pytest.mark.parametrize("role", list(Role.values))
def test_reading_per_role(role, wb, willow, api_as):
    letter = restriction_letter(wb, willow)
    client = api_as(wb.by_role[role])
    expected = 200 if role in READERS else 403
    for url in (LETTERS, f"{LETTERS}{letter.pk}/", f"{LETTERS}?status=waiting"):
        assert client.get(url).status_code == expected, url
    pdf = client.get(f"{LETTERS}{letter.pk}/pdf/")
    assert pdf.status_code == expected
    if expected == 200:
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", list(Role.values))
def test_issuing_per_role(role, wb, willow, api_as):
    letter = restriction_letter(wb, willow)
    client = api_as(wb.by_role[role])
    response = client.post(f"{LETTERS}{letter.pk}/issue/", format="json")
    if role in ISSUERS:
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "issued" and len(body["issue"]["sha256"]) == 64
        assert client.post(f"{LETTERS}{letter.pk}/issue/").status_code == 409
    else:
        assert response.status_code == 403
        assert not IssuedLetter.objects.exists()
        assert Letter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


def test_another_councils_letter_is_not_found(wb, bedford, willow, api_as, api_token):
    letter = restriction_letter(wb, willow)
    for client in (api_as(bedford.officer), api_token(bedford.council, ["letters:write"])):
        assert client.get(f"{LETTERS}{letter.pk}/").status_code == 404
        assert client.get(f"{LETTERS}{letter.pk}/pdf/").status_code == 404
        assert client.post(f"{LETTERS}{letter.pk}/issue/").status_code == 404
        assert (
            client.patch(f"{LETTERS}{letter.pk}/", {"note": "x"}, format="json").status_code == 404
        )
        assert client.get(LETTERS).json()["count"] == 0
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


def named(response) -> set[str]:
    """The fields a 400 names (a service's `errors`, or the serializer's fields)."""
    body = response.json()
    return set(body.get("errors", body))


def test_bad_input_is_400_naming_the_field(wb, willow, api_as):
    letter = restriction_letter(wb, willow)
    client = api_as(wb.officer)
    bad = client.patch(f"{LETTERS}{letter.pk}/", {"email": "not an email"}, format="json")
    assert bad.status_code == 400 and "email" in named(bad)
    long = client.patch(f"{LETTERS}{letter.pk}/", {"note": "x" * 4001}, format="json")
    assert long.status_code == 400 and "note" in named(long)
    client.patch(f"{LETTERS}{letter.pk}/", {"address": ""}, format="json")
    refused = client.post(f"{LETTERS}{letter.pk}/issue/")
    assert refused.status_code == 400 and "address" in named(refused)
    assert client.get(f"{LETTERS}?case=abc").status_code == 400


def test_a_token_with_letters_scopes(wb, willow, api_token):
    letter = restriction_letter(wb, willow)
    reader = api_token(wb.council, ["letters:read"])
    assert reader.get(f"{LETTERS}{letter.pk}/").status_code == 200
    assert reader.post(f"{LETTERS}{letter.pk}/issue/").status_code == 403
    writer = api_token(wb.council, ["letters:write"])
    assert writer.post(f"{LETTERS}{letter.pk}/issue/").status_code == 201
    issued = writer.post(
        f"{LETTERS}{letter.pk}/receipt/", {"received_on": "2001-01-01", "how": "x"}
    )
    assert issued.status_code == 400 and "received_on" in named(issued)


def test_the_happy_path_change_issue_post_and_confirm(wb, willow, api_as):
    letter = restriction_letter(wb, willow)
    client = api_as(wb.officer)
    changed = client.patch(
        f"{LETTERS}{letter.pk}/",
        {"addressee_name": "J. Owner", "note": "We meet on Monday."},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["addressee_name"] == "J. Owner"
    assert client.post(f"{LETTERS}{letter.pk}/issue/").status_code == 201
    today = Letter.objects.get(pk=letter.pk).dated.isoformat()
    assert client.post(f"{LETTERS}{letter.pk}/posted/", {"sent_on": today}).status_code == 200
    done = client.post(f"{LETTERS}{letter.pk}/receipt/", {"received_on": today, "how": "Email"})
    assert done.status_code == 200 and done.json()["receipt_confirmed_on"] == today
    assert {d["channel"] for d in done.json()["deliveries"]} == {"post"}
    correction = client.post(f"{LETTERS}{letter.pk}/correct/", {"reason": "Wrong name"})
    assert correction.status_code == 201 and correction.json()["replaces"] == letter.pk


def test_my_time_limits_and_the_councils_overdue_list(wb, willow, api_as):
    from core.sweep import timers_advance

    restriction_letter(wb, willow)  # the provider is to be told within 5 working days
    from django.utils import timezone

    timers_advance(now=timezone.now() + timezone.timedelta(days=30))
    mine = api_as(wb.officer).get("/api/v1/timers/")
    assert mine.status_code == 200
    overdue = api_as(wb.manager).get("/api/v1/timers/?which=overdue")
    assert overdue.status_code == 200 and overdue.json()["count"] >= 1
    assert overdue.json()["results"][0]["state"] == "Overdue"
    assert api_as(wb.officer).get("/api/v1/timers/?which=overdue").status_code == 403

"""People, roles and delegations (000 4: the Head of Assessment & Care Management stands in
for the DASS; 004 21.3)."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import NotAllowed, ValidationFailed
from councils.models import Delegation, Membership, Role
from councils.selectors import acting_decision_makers
from councils.services import delegation_create, delegation_revoke

pytestmark = pytest.mark.django_db
DASS = "Director of Adult Social Services"


@pytest.fixture
def dass(council_a, member):
    return member(council_a, Role.DECISION_MAKER, title=DASS)


@pytest.fixture
def head_of_acm(council_a, member):
    return member(council_a, Role.MANAGER, title="Head of Assessment & Care Management")


def _maker(user):
    return Membership.objects.get(user=user, role=Role.DECISION_MAKER)


def test_delegate_acts_only_within_the_delegations_dates(council_a, dass, head_of_acm):
    """000 4: "In the absence of the DASS (e.g. for planned leave) the responsibility for the
    decision will be delegated to the Head of Assessment & Care Management." """
    delegation_create(
        council=council_a,
        delegator=_maker(dass),
        delegate=head_of_acm,
        starts_on=dt.date(2026, 8, 3),
        ends_on=dt.date(2026, 8, 14),
        reason="Annual leave",
        actor=dass,
    )
    on = lambda day: acting_decision_makers(council=council_a, title=DASS, on=day)  # noqa: E731
    assert on(dt.date(2026, 8, 2)) == [dass]
    assert on(dt.date(2026, 8, 3)) == [dass, head_of_acm]
    assert on(dt.date(2026, 8, 14)) == [dass, head_of_acm]
    assert on(dt.date(2026, 8, 15)) == [dass]


def test_a_revoked_delegation_ends_at_once(council_a, dass, head_of_acm):
    today = timezone.localdate()
    d = delegation_create(
        council=council_a,
        delegator=_maker(dass),
        delegate=head_of_acm,
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        actor=dass,
    )
    delegation_revoke(delegation=d, actor=dass)
    assert acting_decision_makers(council=council_a, title=DASS) == [dass]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": dt.date(2026, 8, 1)}, "ends_on"),
        ({"delegate": "self"}, "delegate"),
        ({"delegate": "outsider"}, "delegate"),
    ],
)
def test_bad_delegations_are_refused_naming_the_field(
    change, field, council_a, council_b, dass, head_of_acm, member
):
    values = {
        "delegate": head_of_acm,
        "starts_on": dt.date(2026, 8, 3),
        "ends_on": dt.date(2026, 8, 14),
    }
    values.update(change)
    if values["delegate"] == "self":
        values["delegate"] = dass
    elif values["delegate"] == "outsider":
        values["delegate"] = member(council_b, Role.OFFICER)
    with pytest.raises(ValidationFailed) as caught:
        delegation_create(council=council_a, delegator=_maker(dass), actor=dass, **values)
    assert field in caught.value.errors
    assert not Delegation.objects.exists()


def test_only_the_decision_maker_or_an_admin_names_the_delegate(
    council_a, dass, head_of_acm, member
):
    officer = member(council_a, Role.OFFICER)
    with pytest.raises(NotAllowed):
        delegation_create(
            council=council_a,
            delegator=_maker(dass),
            delegate=head_of_acm,
            starts_on=dt.date(2026, 8, 3),
            ends_on=dt.date(2026, 8, 14),
            actor=officer,
        )
    admin = member(council_a, Role.COUNCIL_ADMIN)
    delegation_create(
        council=council_a,
        delegator=_maker(dass),
        delegate=head_of_acm,
        starts_on=dt.date(2026, 8, 3),
        ends_on=dt.date(2026, 8, 14),
        actor=admin,
    )
    assert Delegation.objects.count() == 1


def test_people_page_delegation_form(council_a, dass, head_of_acm, signed_in):
    client = signed_in(dass)
    page = client.get("/council/people/").content.decode()
    assert "Name a delegate" in page and DASS in page
    bad = client.post(
        "/council/people/",
        {
            "delegator": _maker(dass).pk,
            "delegate": head_of_acm.pk,
            "starts_on": "2026-08-14",
            "ends_on": "2026-08-03",
        },
    )
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "There is a problem" in html and 'href="#id_ends_on_0"' in html
    good = client.post(
        "/council/people/",
        {
            "delegator": _maker(dass).pk,
            "delegate": head_of_acm.pk,
            "starts_on": "2026-08-03",
            "ends_on": "2026-08-14",
            "reason": "Leave",
        },
    )
    assert good.status_code == 302
    assert Delegation.objects.get().delegate == head_of_acm


def test_people_page_has_no_form_for_an_officer(council_a, member, signed_in):
    client = signed_in(member(council_a, Role.OFFICER))
    assert "Name a delegate" not in client.get("/council/people/").content.decode()
    assert client.post("/council/people/", {}).status_code == 403


def test_council_admin_creates_and_revokes_a_token(council_a, member, signed_in, api):
    client = signed_in(member(council_a, Role.COUNCIL_ADMIN))
    bad = client.post("/council/tokens/", {"name": ""})
    assert "There is a problem" in bad.content.decode()
    assert 'href="#id_name"' in bad.content.decode()
    made = client.post("/council/tokens/", {"name": "Mosaic", "scopes": ["register:read"]})
    key = made.context["new_key"]
    assert key and key in made.content.decode()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/council/").json()["code"] == council_a.code
    token = council_a.api_tokens.get()
    assert token.key_hash != key and key not in client.get("/council/tokens/").content.decode()
    assert client.post(f"/council/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/council/").status_code == 401


def test_only_council_admins_manage_tokens(council_a, council_b, member, signed_in):
    from councils.services import token_create

    theirs, _ = token_create(council=council_b, name="Theirs", scopes=["register:read"])
    assert signed_in(member(council_a, Role.MANAGER)).get("/council/tokens/").status_code == 403
    admin = signed_in(member(council_a, Role.COUNCIL_ADMIN))
    assert admin.post(f"/council/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None

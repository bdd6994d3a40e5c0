"""Sign-in as councils expect (issue 11, what to build 2): single sign-on with the council's
identity provider (OpenID Connect, against a local fake of it), and two-factor authentication
for local accounts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEntry
from councils.models import Role
from tests.conftest import PASSWORD
from tests.councils.fake_oidc import CLIENT_ID, FakeProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    fake = FakeProvider().start()
    for key, value in fake.settings().items():
        setattr(settings, key, value)
    settings.TWO_FACTOR_REQUIRED = True  # the provider's own second step stands in for ours
    yield fake
    fake.stop()


def _sso(client, provider, email: str):
    """Through the code flow as a browser would: to the provider and back with a code."""
    start = client.get("/oidc/authenticate/?next=/account/")
    assert start.status_code == 302
    asked = urlparse(start.url)
    assert start.url.startswith(f"{provider.url}/authorize")
    query = {k: v[-1] for k, v in parse_qs(asked.query).items()}
    assert query["client_id"] == CLIENT_ID and query["code_challenge_method"] == "S256"
    provider.nonce = query["nonce"]
    provider.claims = {"email": email, "name": "Someone"}
    return client.get(f"/oidc/callback/?code=code-1&state={query['state']}")


def test_a_known_person_signs_in_with_the_councils_account(provider, client, council_a, member):
    person = member(council_a, Role.OFFICER)
    person.email = "Jo.Officer@bromley.example"
    person.save()
    page = client.get("/accounts/login/")
    assert b"Sign in with your council account" in page.content
    back = _sso(client, provider, "jo.officer@bromley.example")
    assert back.status_code == 302 and back.url == "/account/"
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.get("/").status_code == 200
    # The provider's own multi-factor step stands in for ours.
    assert client.get("/locations/").status_code == 200
    assert AuditEntry.objects.filter(action="signin.sso", actor=person).exists()
    assert provider.token_requests[0]["code_verifier"]  # PKCE


def test_an_unknown_email_is_refused_and_no_account_is_made(provider, client, council_a):
    from councils.models import User

    before = User.objects.count()
    back = _sso(client, provider, "stranger@elsewhere.example")
    assert back.url == "/accounts/login/?sso=failed"
    assert User.objects.count() == before
    assert "_auth_user_id" not in client.session
    page = client.get(back.url)
    assert b"could not be signed in" in page.content


@pytest.mark.parametrize("what", ["audience", "issuer"])
def test_a_token_for_another_application_or_issuer_is_refused(
    what, provider, client, council_a, member
):
    person = member(council_a, Role.OFFICER)
    person.email = "jo@bromley.example"
    person.save()
    if what == "audience":
        provider.audience = "another-app"
    else:
        provider.issuer_override = "https://login.example/other-tenant/v2.0"
    _sso(client, provider, "jo@bromley.example")
    assert "_auth_user_id" not in client.session


def test_without_settings_only_the_password_is_offered(client, db):
    assert b"Sign in with" not in client.get("/accounts/login/").content


# --- Two-factor authentication for local accounts ---------------------------------------------


def _password(client, user):
    return client.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD, "next": "/locations/"},
        REMOTE_ADDR="127.0.0.1",
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_local_account_sets_up_the_app_then_enters_a_code_each_time(
    client, council_a, member, settings
):
    settings.TWO_FACTOR_REQUIRED = True
    person = member(council_a, Role.OFFICER)
    person.email = "officer@bromley.example"
    person.save()
    after = _password(client, person)
    assert after.status_code == 302
    # Nothing of the service opens before the second step; the API says why.
    owed = client.get("/locations/")
    assert owed.status_code == 302 and owed.url.startswith("/accounts/two-factor/")
    api = client.get("/api/v1/locations/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_needed"
    set_up = client.get("/accounts/two-factor/set-up/?next=/locations/")
    assert set_up.status_code == 200 and b"<svg" in set_up.content
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    wrong = client.post("/accounts/two-factor/set-up/", {"code": "000000", "next": "/locations/"})
    assert wrong.status_code == 400 and b"not right" in wrong.content
    # Wrong codes slow the next try down (django-otp); a little later it is allowed again.
    too_soon = client.post(
        "/accounts/two-factor/set-up/", {"code": _code(device), "next": "/locations/"}
    )
    assert too_soon.status_code == 400 and b"Too many wrong codes" in too_soon.content
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    done = client.post(
        "/accounts/two-factor/set-up/", {"code": _code(device), "next": "/locations/"}
    )
    assert done.status_code == 302 and done.url == "/locations/"
    assert client.get("/locations/").status_code == 200
    assert AuditEntry.objects.filter(action="signin.two_factor_set_up", actor=person).exists()
    from django.core import mail

    assert [m.to for m in mail.outbox] == [[person.email]]  # told, in case it was not them

    client.logout()
    _password(client, person)
    assert client.get("/locations/").url.startswith("/accounts/two-factor/?")
    device.refresh_from_db()
    device.last_t = -1  # the code above was used: a fresh one in the same 30 s is refused
    device.save()
    page = client.post("/accounts/two-factor/", {"code": "12ab56", "next": "/locations/"})
    assert page.status_code == 400
    ok = client.post("/accounts/two-factor/", {"code": _code(device), "next": "/locations/"})
    assert ok.status_code == 302
    assert ok.url == "/locations/"


def test_someone_who_set_it_up_is_asked_even_where_it_is_not_required(
    client, council_a, member, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    person = member(council_a, Role.OFFICER)
    TOTPDevice.objects.create(user=person, name="App", confirmed=True)
    _password(client, person)
    assert client.get("/").url.startswith("/accounts/two-factor/")


def test_a_next_address_elsewhere_is_not_followed(client, council_a, member, settings):
    settings.TWO_FACTOR_REQUIRED = True
    person = member(council_a, Role.OFFICER)
    device = TOTPDevice.objects.create(user=person, name="App", confirmed=True)
    _password(client, person)
    answer = client.post(
        "/accounts/two-factor/", {"code": _code(device), "next": "https://evil.example/"}
    )
    assert answer.status_code == 302 and answer.url == "/"


def test_tokens_are_not_asked_for_a_code(council_a, api_token, settings):
    settings.TWO_FACTOR_REQUIRED = True
    assert api_token(council_a).get("/api/v1/locations/").status_code == 200


def _known(member, council, email="jo@bromley.example", **extra):
    person = member(council, Role.OFFICER)
    person.email = email
    for key, value in extra.items():
        setattr(person, key, value)
    person.save()
    return person


@pytest.mark.parametrize(
    "what", ["staff", "superuser", "keeper", "unverified", "other domain", "no issuer"]
)
def test_single_sign_on_is_refused_where_it_must_be(
    what, provider, client, council_a, member, settings
):
    """Administrators and keepers use a password and a code; an email the provider does not
    vouch for, or outside the council's domains, signs no one in; nor does any token when the
    council's tenant is not configured as the issuer."""
    extra = {"staff": {"is_staff": True}, "superuser": {"is_superuser": True}}
    extra |= {"keeper": {"keeps_register": True}}
    _known(member, council_a, **extra.get(what, {}))
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["elsewhere.example"] if what == "other domain" else []
    if what == "no issuer":
        settings.OIDC_OP_ISSUER = ""
    start = client.get("/oidc/authenticate/")
    query = {k: v[-1] for k, v in parse_qs(urlparse(start.url).query).items()}
    provider.nonce = query["nonce"]
    provider.claims = {"email": "jo@bromley.example"}
    if what == "unverified":
        provider.claims["email_verified"] = False
    client.get(f"/oidc/callback/?code=c&state={query['state']}")
    assert "_auth_user_id" not in client.session


def test_the_first_sign_on_binds_the_person_to_the_providers_subject(
    provider, client, council_a, member
):
    person = _known(member, council_a)
    _sso(client, provider, "jo@bromley.example")
    person.refresh_from_db()
    assert person.sso_subject == "entra-object-id-1"
    client.logout()
    person.sso_subject = "someone-else-at-the-provider"
    person.save()
    _sso(client, provider, "jo@bromley.example")
    assert "_auth_user_id" not in client.session


def test_a_person_made_inactive_is_signed_out(provider, client, council_a, member):
    person = _known(member, council_a)
    _sso(client, provider, "jo@bromley.example")
    assert client.get("/").status_code == 200
    person.is_active = False
    person.save()
    assert client.get("/locations/").status_code == 302


def test_sso_without_an_issuer_is_a_configuration_error(settings):
    from councils.sso import sso_settings_check

    settings.OIDC_RP_CLIENT_ID, settings.OIDC_OP_ISSUER = "x", ""
    assert [e.id for e in sso_settings_check(None)] == ["councils.E001"]
    settings.OIDC_OP_ISSUER = "https://login.example/t/v2.0"
    assert sso_settings_check(None) == []

"""Shared fixtures. Tests run with django-scopes disabled by default (as pretix's do), so
that setup code can touch any council's rows; requests still go through the real scoping
(the middleware and API views enter their council's scope), and tenancy tests enter scopes
themselves."""

import pytest
from django.http import HttpRequest
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from councils.models import Role
from councils.policy import policies_forget
from councils.services import policy_load, token_create
from restrictions.selectors.cached import statuses_forget
from tests.factories import PASSWORD, CouncilFactory, MembershipFactory, UserFactory, policy_text

# The helper modules of the app packages (tests/<app>/.../helpers.py) assert as the tests do:
# pytest rewrites them too, so that a failing check shows its values.
pytest.register_assert_rewrite(
    "tests.concerns",
    "tests.core",
    "tests.councils",
    "tests.monitoring",
    "tests.providers",
    "tests.restrictions",
)


@pytest.fixture(autouse=True)
def _scopes_disabled():
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Counts kept in the cache (wrong tokens from an address) start afresh in each test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _policies_forgotten():
    """Each test starts with no policy version, and no placement status, remembered by id
    (SQLite reuses ids after a rollback)."""
    policies_forget()
    statuses_forget()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def load_pack(db):
    """Load a real council's policy pack from policies/ (creates the council)."""

    def load(code: str):
        return policy_load(text=policy_text(code), source_name=f"{code}.yaml").council

    return load


@pytest.fixture
def council_a(load_pack):
    return load_pack("bromley")


@pytest.fixture
def council_b(load_pack):
    return load_pack("west-berkshire")


@pytest.fixture
def member(db):
    """member(council, role, title="") -> a user with that role in that council."""

    def make(council, role=Role.OFFICER, title="", user=None):
        user = user or UserFactory()
        MembershipFactory(user=user, council=council, role=role, title=title)
        return user

    return make


@pytest.fixture
def officer_a(council_a, member):
    return member(council_a, Role.OFFICER)


@pytest.fixture
def officer_b(council_b, member):
    return member(council_b, Role.OFFICER)


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the Django test client, signed in as that user."""

    def sign_in(user):
        # A request for django-axes, which checks every sign-in against its lockouts.
        signing_in = HttpRequest()
        signing_in.META["REMOTE_ADDR"] = "127.0.0.1"
        assert client.login(request=signing_in, username=user.username, password=PASSWORD)
        return client

    return sign_in


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(db):
    """api_as(user) -> an APIClient with that user's session."""

    def make(user):
        client = APIClient()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_token(db):
    """api_token(council, scopes) -> an APIClient sending that council's token."""

    def make(council, scopes=("register:read",)):
        _, key = token_create(council=council, name="Test system", scopes=list(scopes))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def any_council(db):
    return CouncilFactory()


__all__ = ["PASSWORD"]

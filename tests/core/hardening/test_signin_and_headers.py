"""Issue 11, findings 6, 9 and 2: sign-in and tokens throttled; strict headers, nothing personal
cached, sessions that end, sensible passwords; the demo and the admin kept in their place."""

from __future__ import annotations

import pytest

from councils.models import Role

pytestmark = pytest.mark.django_db


# --- finding 6: throttling and lockout -------------------------------------------------------


def test_five_wrong_passwords_lock_the_username_at_that_address_with_an_audit_entry(
    council_a, member, client
):
    from core.models import AuditEntry
    from tests.factories import PASSWORD

    officer = member(council_a, Role.OFFICER)
    for _ in range(5):
        wrong = client.post(
            "/accounts/login/", {"username": officer.username, "password": "not-it"}
        )
        assert wrong.status_code in (200, 429)
    locked = client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Sign-in is locked for now" in locked.content.decode()
    entry = AuditEntry.objects.filter(action="signin.locked_out").first()
    assert entry is not None and officer.username in entry.summary
    # The admin's sign-in is the same door.
    admin = client.post(
        "/admin/login/?next=/admin/", {"username": officer.username, "password": PASSWORD}
    )
    assert admin.status_code == 429


def test_an_address_sending_wrong_tokens_is_refused_for_a_while(council_a, api, settings):
    from core.models import AuditEntry

    settings.TOKEN_FAILURE_LIMIT = 5
    api.credentials(HTTP_AUTHORIZATION="Token abcd1234.not-a-real-token")
    answers = [api.get("/api/v1/council/").status_code for _ in range(7)]
    assert answers[:5] == [401] * 5 and answers[5:] == [429, 429]
    assert AuditEntry.objects.filter(action="token.throttled").count() == 1


# --- finding 9: headers, caching, sessions, passwords ----------------------------------------


def test_pages_carry_a_strict_csp_and_no_inline_script(council_a, member, signed_in):
    import re

    response = signed_in(member(council_a, Role.OFFICER)).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script from a file
    assert ' style="' not in html
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_nothing_personal_is_cached(council_a, member, signed_in, api_as):
    from django.test import Client

    officer = member(council_a, Role.OFFICER)
    assert signed_in(officer).get("/").headers["Cache-Control"] == "no-store"
    assert api_as(officer).get("/api/v1/council/").headers["Cache-Control"] == "no-store"
    assert Client().get("/accounts/login/").headers.get("Cache-Control") != "no-store"


def test_a_session_unused_for_its_idle_time_is_signed_out(council_a, member, signed_in, settings):
    import time

    client = signed_in(member(council_a, Role.OFFICER))
    assert client.get("/").status_code == 200
    session = client.session
    session["_seen"] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    answer = client.get("/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600  # never 14 days


def test_a_password_like_the_username_or_short_is_refused(council_a, member):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    officer = member(council_a, Role.OFFICER)
    for weak in (officer.username, "short-pw", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak, officer)
    validate_password("a long and unusual phrase for Oversight", officer)


# --- finding 2: the demo and the admin -------------------------------------------------------


def test_demo_load_refuses_to_run_under_production_settings(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.DEMO_ALLOWED = False  # as config.settings.prod leaves it
    with pytest.raises(CommandError, match="never in production"):
        call_command("demo_load")


def test_tokens_cannot_be_changed_in_the_admin_and_roles_changed_there_are_audited(
    council_a, council_b, client
):
    from core.models import AuditEntry
    from councils.models import Membership, User
    from councils.services import token_create

    token, _ = token_create(council=council_a, name="Mosaic", scopes=["register:read"])
    boss = User.objects.create_superuser("root", "root@example.invalid", "a long admin phrase!")
    client.force_login(boss)
    change = client.post(
        f"/admin/councils/apitoken/{token.pk}/change/",
        {"council": council_b.pk, "name": "Mosaic", "scopes": '["imports:write"]'},
    )
    assert change.status_code == 403
    token.refresh_from_db()
    assert (token.council_id, token.scopes) == (council_a.pk, ["register:read"])
    person = User.objects.create(username="pat")
    page = client.post(
        f"/admin/councils/user/{person.pk}/change/",
        {
            "username": "pat",
            "notify_by": "each",
            "date_joined_0": "2026-11-29",
            "date_joined_1": "08:00:00",
            "initial-date_joined_0": "2026-11-29",
            "initial-date_joined_1": "08:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-council": council_a.pk,
            "memberships-0-role": "council_admin",
            "memberships-0-title": "",
            "memberships-0-is_active": "on",
            "memberships-0-user": person.pk,
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert Membership.objects.filter(user=person, role="council_admin").exists()
    entry = AuditEntry.objects.get(action="membership.changed_in_admin")
    assert entry.council_id == council_a.pk and "given" in entry.summary

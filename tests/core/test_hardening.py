"""Issue 11, finding 5 and part of 10: no input makes the server answer 500, and bad input is
refused in the request's own format (JSON for the API). Each test failed on the code before."""

from __future__ import annotations

import json

import pytest

from councils.models import Role

pytestmark = pytest.mark.django_db

DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/", "/api/v1/intelligence/", "/api/v1/placements/lookup/"]
)
def test_json_nested_10000_deep_is_400_not_500(url, council_a, member, api_as, api):
    client = api_as(member(council_a, Role.OFFICER))
    answer = client.post(url, DEEP, content_type="application/json")
    assert answer.status_code == 400, answer.content[:200]
    assert "nested" in answer.json()["detail"]
    # Before authentication too: no credentials is 401, never a parse of the body.
    assert api.post(url, DEEP, content_type="application/json").status_code == 401


def test_json_nested_a_little_deeper_than_any_request_needs_is_refused(council_a, member, api_as):
    nested: object = "x"
    for _ in range(40):
        nested = [nested]
    body = json.dumps({"ids": nested})
    client = api_as(member(council_a, Role.PLACEMENT))
    answer = client.post("/api/v1/placements/lookup/", body, content_type="application/json")
    assert answer.status_code == 400 and "nested" in answer.json()["detail"]


def test_an_oversized_json_body_is_answered_in_json(council_a, member, api_as, settings):
    settings.API_MAX_BODY_BYTES = 10_000
    client = api_as(member(council_a, Role.OFFICER))
    body = json.dumps({"narrative": "x" * 20_000})
    answer = client.post("/api/v1/intelligence/", body, content_type="application/json")
    assert answer.status_code == 413
    assert answer["Content-Type"].startswith("application/json")
    assert "too large" in answer.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/intelligence/?provider=354220953484611223552",
        "/api/v1/intelligence/?location=354220953484611223552",
        "/api/v1/letters/?case=354220953484611223552",
    ],
)
def test_a_huge_number_in_a_filter_is_400_naming_it(url, council_a, member, api_as):
    answer = api_as(member(council_a, Role.OFFICER)).get(url)
    assert answer.status_code == 400, answer.content[:200]
    body = answer.json()
    named = set(body.get("errors", body))
    assert named & {"provider", "location", "case"}


def test_a_huge_id_in_a_path_is_404_not_500(council_a, member, api_as, signed_in):
    officer = member(council_a, Role.OFFICER)
    huge = "354220953484611223552"
    assert api_as(officer).get(f"/api/v1/intelligence/{huge}/").status_code == 404
    assert signed_in(officer).get(f"/intelligence/{huge}/").status_code == 404


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


# --- finding 11: 403 before 409 --------------------------------------------------------------


def test_a_move_not_ones_own_is_403_even_with_a_decision_pending(council_a, member, api_as):
    from concerns.models import Case
    from concerns.services import case_open
    from decisions.models import Recommendation
    from tests.factories import LocationFactory

    officer = member(council_a, Role.OFFICER)
    board = member(council_a, Role.BOARD_MEMBER)  # sees cases, makes none of Bromley's moves
    case = case_open(
        council=council_a, actor=officer, summary="Rated below Good", location=LocationFactory()
    )
    client = api_as(officer)
    made = client.post(
        f"/api/v1/cases/{case.pk}/moves/",
        {
            "move": "refer_to_dass",
            "reason": "Rated Requires improvement",
            "evidence": [{"kind": "compliance_guidance", "note": "Visit of 2 November"}],
            "details": {
                "reason": "Inspection rating below Good published",
                "recommendation": "Suspend new placements",
            },
        },
        format="json",
    )
    assert made.status_code == 202, made.json()  # waits for the DASS
    assert Recommendation.objects.filter(council=council_a, status="pending").exists()
    # The same move by someone whose role may not make it: 403, not "a decision is pending".
    forbidden = api_as(board).post(
        f"/api/v1/cases/{case.pk}/moves/",
        {"move": "refer_to_dass", "reason": "x"},
        format="json",
    )
    assert forbidden.status_code == 403, forbidden.json()
    assert Case.objects.get(pk=case.pk).stage == "informal"


# --- finding 7: no partial or silent writes --------------------------------------------------


def test_a_plan_posted_as_a_form_is_refused_not_saved_without_its_actions(
    council_a, member, api_as
):
    from monitoring.models import ImprovementPlan
    from tests.factories import LocationFactory

    client = api_as(member(council_a, Role.OFFICER))
    answer = client.post(
        "/api/v1/improvement-plans/",
        {
            "location": LocationFactory().pk,
            "title": "Medicines",
            "started_on": "2026-11-01",
            "actions[0]what": "Audit the MAR charts",
        },
        format="multipart",
    )
    assert answer.status_code == 415
    assert not ImprovementPlan.objects.exists()


def test_an_empty_patch_changes_nothing_and_writes_nothing(council_a, member, api_as):
    from core.models import AuditEntry
    from tests.factories import LocationFactory

    client = api_as(member(council_a, Role.COUNCIL_ADMIN))
    made = client.post(
        "/api/v1/commissioning/",
        {"location": LocationFactory().pk, "contract_type": "spot", "people": 2, "in_area": True},
        format="json",
    )
    assert made.status_code in (200, 201), made.json()
    before = AuditEntry.objects.filter(action="commissioning.saved").count()
    empty = client.patch(f"/api/v1/commissioning/{made.json()['id']}/", {}, format="json")
    assert empty.status_code == 400
    same = client.patch(f"/api/v1/commissioning/{made.json()['id']}/", {"people": 2}, format="json")
    assert same.status_code == 200
    assert AuditEntry.objects.filter(action="commissioning.saved").count() == before


# --- finding 10: lengths, dates, file names --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("narrative", "x" * 1_000_000),
        ("received_on", "0001-01-01"),
        ("received_on", "9999-12-31"),
    ],
)
def test_implausible_intelligence_is_refused_naming_the_field(
    field, value, council_a, member, api_as
):
    from monitoring.models import Intelligence
    from tests.factories import LocationFactory

    client = api_as(member(council_a, Role.OFFICER))
    body = {
        "source": "complaint",
        "received_on": "2026-11-01",
        "severity": "low",
        "narrative": "Reported by a relative",
        "location": LocationFactory().pk,
        field: value,
    }
    answer = client.post("/api/v1/intelligence/", body, format="json")
    assert answer.status_code in (400, 413), answer.content[:300]
    if answer.status_code == 400:
        payload = answer.json()
        assert field in set(payload.get("errors", payload))
    assert not Intelligence.objects.exists()


def test_a_long_attachment_name_keeps_its_extension():
    from core.limits import file_name

    name = file_name("a" * 300 + ".pdf", 200)
    assert len(name) == 200 and name.endswith(".pdf")
    assert file_name("../../etc/passwd.txt") == "passwd.txt"


# --- finding 4: imports bounded after decompression and in rows ------------------------------


def _xlsx(rows) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_that_unpacks_too_large_is_refused_unopened(settings):
    import io
    import zipfile

    from providers.importing.readers import FileRefused, table_rows

    settings.IMPORT_MAX_UNPACKED_BYTES = 1_000_000
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", " " * 5_000_000)  # 5 MB of blanks
    data = bomb.getvalue()
    assert len(data) < 50_000
    with pytest.raises(FileRefused, match="unpacks to"):
        table_rows(data, "blanks.xlsx")


def test_a_file_with_too_many_rows_is_refused(settings):
    from providers.importing.readers import FileRefused, table_rows

    settings.IMPORT_MAX_ROWS = 100
    with pytest.raises(FileRefused, match="more than 100 rows"):
        table_rows(
            _xlsx([["Name", "Postcode"]] + [[f"Home {i}", "BR1 1AA"] for i in range(150)]),
            "big.xlsx",
        )
    with pytest.raises(FileRefused, match="more than 100 rows"):
        table_rows(("Name,Postcode\n" + "Home,BR1 1AA\n" * 150).encode(), "big.csv")
    assert len(table_rows(("Name,Postcode\n" + "Home,BR1 1AA\n" * 50).encode(), "ok.csv")) == 51


def test_an_import_keeps_its_first_problems_and_counts_the_rest(
    council_a, member, settings, django_capture_on_commit_callbacks
):
    from providers.models import ImportProblem, ImportRun, ImportStatus
    from providers.services import import_start
    from tests.providers.importing.helpers import location_record, provider_record

    settings.IMPORT_MAX_PROBLEMS_KEPT = 2
    content = json.dumps([provider_record(), *[location_record(f"bad{i}") for i in range(5)]])
    with django_capture_on_commit_callbacks(execute=True):
        run = import_start(
            council=council_a,
            actor=member(council_a, Role.OFFICER),
            format="cqc_json",
            filename="bad.json",
            content=content.encode(),
        )
    run = ImportRun.objects.get(pk=run.pk)
    assert run.status == ImportStatus.DONE, run.message
    assert run.problem_count == 5
    assert ImportProblem.objects.filter(run=run).count() == 2
    assert "the first 2 kept" in run.message


# --- finding 3 and item 4: a server fit to deploy --------------------------------------------


def test_health_and_readiness_answer_without_a_session(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    assert "no-cache" in ready["Cache-Control"] or "no-store" in ready["Cache-Control"]


def test_the_production_settings_pass_djangos_deploy_checks():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "a-long-random-production-secret-key-for-the-checks-" + "x" * 30,
        "ALLOWED_HOSTS": "oversight.example.gov.uk",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- finding 8 and item 6: the audit log's hash chain ---------------------------------------


def test_the_audit_chain_seals_settled_entries_and_finds_one_changed(council_a):
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from core.audit import audit_record
    from core.audit_chain import audit_seal, audit_verify
    from core.models import AuditEntry

    for i in range(5):
        audit_record(council=council_a, actor=None, action="test.thing", summary=f"thing {i}")
    later = timezone.now() + dt.timedelta(minutes=5)
    assert audit_seal(now=later) >= 5
    assert audit_seal(now=later) == 0  # sealed once
    assert audit_verify().ok
    audit_record(council=council_a, actor=None, action="test.late", summary="late")
    assert audit_seal(now=later) == 1  # a later entry joins the chain
    assert audit_verify().ok
    victim = AuditEntry.objects.filter(action="test.thing").order_by("id")[2]
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:  # someone with the database's keys
        if connection.vendor == "postgresql":  # the append-only trigger switched off
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"UPDATE {table} SET summary = 'rewritten' WHERE id = %s", [victim.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    verdict = audit_verify()
    assert not verdict.ok and str(victim.pk) in verdict.problem


def test_the_verify_command_says_the_chain_holds(council_a):
    import io

    from django.core.management import call_command

    from core.audit import audit_record

    audit_record(council=council_a, actor=None, action="test.thing", summary="a thing")
    out = io.StringIO()
    call_command("audit_verify", "--seal", stdout=out)
    assert "The audit chain holds" in out.getvalue()


# --- finding 12: the schema says what the API answers ----------------------------------------


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_its_errors(schema):
    lacking = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            need = {"401", "403"}
            if "{" in path:
                need.add("404")
            if method in ("post", "put", "patch"):
                need.add("400")
            if need - set(map(str, operation["responses"])):
                lacking.append((method, path))
    assert lacking == []


def test_the_schema_agrees_with_the_answers(schema):
    parts = schema["components"]["schemas"]
    assert parts["Alert"]["properties"]["case"].get("nullable") is True
    for field in ("override_until", "override_reason"):
        assert parts["RiskRating"]["properties"][field].get("nullable") is True
    moves = schema["paths"]["/api/v1/cases/{id}/moves/"]["get"]["responses"]["200"]
    assert moves["content"]["application/json"]["schema"]["type"] == "array"  # not paginated


def test_no_text_in_a_request_is_longer_than_the_limit(council_a, member, api_as):
    """Issue 11, 10: a 1,000,000-character text was stored; every field is bounded now, the
    field named, before any service sees it."""
    client = api_as(member(council_a, Role.OFFICER))
    answer = client.post("/api/v1/cases/", {"summary": "x" * 30_000, "location": 1}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert "20,000 characters" in body.get("errors", body)["summary"][0]


# --- item 4: request ids, JSON logs, metrics -------------------------------------------------


def test_every_answer_carries_a_request_id_which_the_log_lines_carry_too(client):
    import logging

    from core.observability import REQUEST_ID, JsonFormatter, RequestIdFilter

    given = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-from-the-proxy")
    assert given["X-Request-ID"] == "abc12345-from-the-proxy"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")  # not a sensible id
    assert len(made["X-Request-ID"]) == 32 and "<" not in made["X-Request-ID"]
    token = REQUEST_ID.set("req-0001-test")
    try:
        record = logging.LogRecord("oversight", logging.WARNING, __file__, 1, "hello", (), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert (line["level"], line["message"], line["request_id"]) == (
        "WARNING",
        "hello",
        "req-0001-test",
    )


def test_metrics_are_for_the_monitoring_system(client, settings):
    assert client.get("/healthz").status_code == 200
    local = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert local.status_code == 200 and b"django_http_requests" in local.content
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.METRICS_TOKEN = "monitoring-secret-123"
    assert client.get("/metrics").status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer monitoring-secret-123")
    assert ok.status_code == 200


def test_every_400_has_one_shape_with_the_fields_named(council_a, member, api_as):
    """Issue 11: a serializer's 400 and a service's 400 read the same: detail, code, and the
    messages by field under `errors`."""
    client = api_as(member(council_a, Role.OFFICER))
    bad = client.post(
        "/api/v1/intelligence/",
        {"received_on": "not a date", "severity": "low", "source": "complaint"},
        format="json",
    )
    body = bad.json()
    assert bad.status_code == 400 and body["code"] == "invalid"
    assert set(body) == {"detail", "code", "errors"}
    assert "received_on" in body["errors"] and "narrative" in body["errors"]
    assert all(isinstance(m, list) for m in body["errors"].values())

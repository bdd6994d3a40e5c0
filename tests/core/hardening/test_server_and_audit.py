"""Issue 11, finding 3, items 4 and 6: a server fit to deploy (health, deploy checks, request
ids, JSON logs, metrics) and the audit log's hash chain."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


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
        cwd=Path(__file__).resolve().parents[3],
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

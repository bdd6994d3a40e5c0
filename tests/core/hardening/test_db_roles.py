"""The application's database role cannot empty or alter the audit log and the append-only
records (issue 11, finding 8): it owns no table, and on append-only tables may only read and
insert. PostgreSQL only: roles are its."""

import io
import os

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from core.audit import audit_record

pytestmark = [pytest.mark.django_db(transaction=True)]

ROLE = f"oversight_app_test_{os.getpid()}"


@pytest.fixture
def app_role(council_a):
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    call_command("db_app_role", role=ROLE, stdout=io.StringIO())
    settings = connection.settings_dict
    conn = psycopg2.connect(
        dbname=settings["NAME"],
        user=ROLE,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    conn.autocommit = True
    yield conn
    conn.close()
    with connection.cursor() as cur:
        cur.execute(f'DROP OWNED BY "{ROLE}"')
        cur.execute(f'DROP ROLE IF EXISTS "{ROLE}"')


def _refused(conn, statement: str) -> str:
    with conn.cursor() as cur, pytest.raises(psycopg2.Error) as caught:
        cur.execute(statement)
    return caught.value.pgcode


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE core_auditentry",
        "TRUNCATE core_auditentry CASCADE",
        "ALTER TABLE core_auditentry DISABLE TRIGGER ALL",
        "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only",
        "DROP TRIGGER core_auditentry_append_only ON core_auditentry",
        "DROP TABLE core_auditentry",
        "UPDATE core_auditentry SET summary = 'changed'",
        "DELETE FROM core_auditentry",
        "TRUNCATE notices_issuedletter",
        "TRUNCATE councils_council CASCADE",
    ],
)
def test_the_app_role_cannot_empty_or_alter_the_audit_log(app_role, council_a, statement):
    audit_record(council=council_a, actor=None, action="t", summary="kept")
    code = _refused(app_role, statement)
    assert code in ("42501", "42P01"), code  # insufficient privilege / must be owner
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM core_auditentry WHERE summary = 'kept'")
        assert cur.fetchone()[0] == 1


def test_the_app_role_reads_and_writes_rows(app_role, council_a):
    """What the application does: read, insert everywhere, change ordinary rows."""
    with app_role.cursor() as cur:
        cur.execute("SELECT name FROM councils_council WHERE id = %s", [council_a.pk])
        assert cur.fetchone()[0] == council_a.name
        cur.execute("UPDATE councils_council SET short_name = 'B' WHERE id = %s", [council_a.pk])
        cur.execute(
            "INSERT INTO core_auditentry (council_id, at, actor_label, action, object_type,"
            " object_id, summary, reason, data) VALUES (%s, now(), 'a system', 'x', '', '',"
            " 'appended', '', '{}')",
            [council_a.pk],
        )
        cur.execute("SELECT count(*) FROM core_auditentry WHERE summary = 'appended'")
        assert cur.fetchone()[0] == 1


def test_the_command_is_for_postgresql_and_checks_the_name(settings):
    from django.core.management.base import CommandError

    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("db_app_role", role="x")
    else:
        with pytest.raises(CommandError, match="letters"):
            call_command("db_app_role", role="x; DROP TABLE y")

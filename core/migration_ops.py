"""Migration operations shared by apps."""

from django.db import migrations


def postgresql_only(forwards_sql: str, backwards_sql: str) -> migrations.RunPython:
    """SQL that only PostgreSQL runs (triggers, extensions, special indexes); SQLite, used by
    `make run`, skips it. `params=None`: the SQL may contain a literal %."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forwards_sql, params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backwards_sql, params=None)

    return migrations.RunPython(forwards, backwards)

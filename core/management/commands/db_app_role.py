"""Give the application's database role what it needs and no more (issue 11, finding 8).

Run by the owner of the tables (the role that ran `migrate`) after each deploy's migrations:
new tables are the owner's alone until it does. The password, if any, comes from
DB_APP_PASSWORD. The application then connects as `--role`: it may read and write rows, but it
owns nothing, so it cannot TRUNCATE, ALTER or DROP a table nor disable a trigger; on the
append-only tables (the audit log and every record guarded by a `<table>_append_only`
trigger) it may only read and insert."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg2 import sql

APPEND_ONLY_TABLES = """
SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND t.tgname LIKE '%%\\_append\\_only'
ORDER BY c.relname
"""


class Command(BaseCommand):
    help = (
        "Create (or bring up to date) the application's database role: rows only, never the "
        "tables; read and insert only on append-only tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="The role the application uses.")

    def handle(self, *args, role: str, **options):
        # From the environment, never the command line (shell history, `ps`).
        password = os.environ.get("DB_APP_PASSWORD", "")
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are PostgreSQL's: nothing to do on SQLite.")
        if len(role) > 63 or not role.replace("_", "").isalnum():
            raise CommandError("Give the role as letters, digits and underscores.")
        name = sql.Identifier(role)
        with connection.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name).as_string(cur.cursor))
            if password:
                cur.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}")
                    .format(name, sql.Literal(password))
                    .as_string(cur.cursor)
                )
            cur.execute("SELECT current_database(), current_schema()")
            database, schema = cur.fetchone()
            statements = [
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(database), name
                ),
                sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), name),
                # No tables of its own (PostgreSQL before 15 let every role create in public).
                sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC, {}").format(
                    sql.Identifier(schema), name
                ),
                sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(
                    sql.Identifier(schema), name
                ),
                sql.SQL(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}"
                ).format(sql.Identifier(schema), name),
                sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
                    sql.Identifier(schema), name
                ),
            ]
            for statement in statements:
                cur.execute(statement.as_string(cur.cursor))
            cur.execute(APPEND_ONLY_TABLES)
            guarded = [row[0] for row in cur.fetchall()]
            for table in guarded:
                cur.execute(
                    sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}")
                    .format(sql.Identifier(table), name)
                    .as_string(cur.cursor)
                )
        self.stdout.write(
            f"{role}: rows of every table; read and insert only on {len(guarded)} append-only "
            f"tables ({', '.join(guarded)}); no TRUNCATE, no ALTER, no triggers."
        )

"""On PostgreSQL the database itself refuses to change or delete an audit entry.

TRUNCATE is left to privileges: production's application role is granted only SELECT and
INSERT on this table (docs/adr/0004-audit-log.md); test databases must stay flushable."""

from django.db import migrations

from core.migration_ops import postgresql_only

CREATE = """
CREATE OR REPLACE FUNCTION core_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [postgresql_only(CREATE, DROP)]

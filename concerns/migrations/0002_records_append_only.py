"""On PostgreSQL the database refuses to change or delete a case move or a decision step:
like the audit log, they are the written record of what was decided and done."""

from django.db import migrations

from core.migration_ops import postgresql_only

TABLES = ("concerns_casemove", "concerns_decisionstep")

CREATE = """
CREATE OR REPLACE FUNCTION concerns_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is a record: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
DROP TRIGGER IF EXISTS {t}_append_only ON {t};
CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION concerns_refuse_change();
"""
    for t in TABLES
)
DROP = "".join(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};\n" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS concerns_refuse_change();\n"
)


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]
    operations = [postgresql_only(CREATE, DROP)]

"""On PostgreSQL, trigram indexes make "name contains" search fast at national scale."""

from django.db import migrations

from core.migration_ops import postgresql_only

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS providers_location_name_trgm
    ON providers_location USING gin (upper(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS providers_provider_name_trgm
    ON providers_provider USING gin (upper(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS providers_location_postcode_key_like
    ON providers_location (postcode_key varchar_pattern_ops);
"""
DROP = """
DROP INDEX IF EXISTS providers_location_name_trgm;
DROP INDEX IF EXISTS providers_provider_name_trgm;
DROP INDEX IF EXISTS providers_location_postcode_key_like;
"""


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]
    operations = [postgresql_only(CREATE, DROP)]

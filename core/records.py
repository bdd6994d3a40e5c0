"""Append-only records: the written record of what was decided and done (the audit log, case
moves, decision steps, and later issued letters and list issues). Code cannot change or delete
them (the model and its queryset refuse), and on PostgreSQL neither can SQL (a trigger added by
the `AppendOnlyTrigger` migration operation refuses UPDATE and DELETE). TRUNCATE is left to
privileges (docs/adr/0004-audit-log.md)."""

from django.db import migrations, models
from django_scopes import ScopedManager

REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION core_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is a record, append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.verbose_name_plural} are append-only.")

    def delete(self):
        raise PermissionError(f"{self.model._meta.verbose_name_plural} are append-only.")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError(f"{self.model._meta.verbose_name_plural} are append-only.")


def append_only_manager(**scopes) -> models.Manager:
    """The manager of an append-only model: scoped to its council like every council-owned
    model, with a queryset that refuses updates and deletes."""
    manager_class = models.Manager.from_queryset(AppendOnlyQuerySet)
    if scopes:
        return ScopedManager(_manager_class=manager_class, **scopes)
    return manager_class()


class AppendOnlyModel(models.Model):
    """A record of something that happened: written once, never changed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"A {self._meta.verbose_name} is a record: it cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"A {self._meta.verbose_name} is a record: it cannot be deleted.")


class AppendOnlyTrigger(migrations.operations.base.Operation):
    """On PostgreSQL, a trigger on the model's table refuses UPDATE and DELETE (SQLite, used by
    `make run`, is left as it is: the model refuses there)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def deconstruct(self):
        return self.__class__.__name__, [self.model_name], {}

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self._table(app_label, to_state))
        name = schema_editor.quote_name(f"{self._table(app_label, to_state)}_append_only")
        schema_editor.execute(REFUSE_FUNCTION, params=None)
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {name} ON {table}; "
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION core_refuse_change();",
            params=None,
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = self._table(app_label, from_state)
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {schema_editor.quote_name(table + '_append_only')} "
            f"ON {schema_editor.quote_name(table)};",
            params=None,
        )

    def describe(self):
        return f"Refuse UPDATE and DELETE on {self.model_name} (PostgreSQL)"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_append_only"

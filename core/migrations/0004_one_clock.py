"""One clock: a timer says what it is for, what it watches, who owns it, when it falls due and
its status (running, fired, met, ended). Existing timers keep their state: fired stays fired,
cancelled becomes ended. The audit log's trigger moves to the shared append-only mechanism
(core.records)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from core.migration_ops import postgresql_only
from core.records import REFUSE_FUNCTION

AUDIT_TO_SHARED = (
    REFUSE_FUNCTION
    + """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_refuse_change();
DROP FUNCTION IF EXISTS core_auditentry_refuse_change();
"""
)
AUDIT_TO_OWN = """
CREATE OR REPLACE FUNCTION core_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse_change();
"""


def states_forwards(apps, schema_editor):
    Timer = apps.get_model("core", "Timer")
    for timer in Timer.objects.all():
        timer.due_on = timezone.localdate(timer.due_at)
        timer.starts_on = timezone.localdate(timer.created_at)
        if timer.cancelled_at is not None:
            timer.status, timer.ended_at = "ended", timer.cancelled_at
        elif timer.fired_at is not None:
            timer.status = "fired"
        timer.save(update_fields=["due_on", "starts_on", "status", "ended_at"])


def states_backwards(apps, schema_editor):
    Timer = apps.get_model("core", "Timer")
    for timer in Timer.objects.filter(status__in=["ended", "met"]):
        timer.cancelled_at = timer.ended_at or timezone.now()
        timer.save(update_fields=["cancelled_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_append_only_trigger"),
        ("councils", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["-at", "-id"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
            },
        ),
        postgresql_only(AUDIT_TO_SHARED, AUDIT_TO_OWN),
        migrations.AlterModelOptions(name="timer", options={"ordering": ["due_at", "id"]}),
        migrations.AddField(
            model_name="timer",
            name="cause",
            field=models.CharField(
                blank=True,
                help_text="What started it, e.g. move:12 (once per cause).",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="timer",
            name="due_on",
            field=models.DateField(
                blank=True, help_text="The limit, as people read it.", null=True
            ),
        ),
        migrations.AddField(
            model_name="timer",
            name="ended_at",
            field=models.DateTimeField(
                blank=True, help_text="When it was met or ended.", null=True
            ),
        ),
        migrations.AddField(
            model_name="timer",
            name="label",
            field=models.CharField(
                blank=True, help_text="What it is for, in words.", max_length=300
            ),
        ),
        migrations.AddField(
            model_name="timer",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="timer",
            name="seed",
            field=models.CharField(
                blank=True, help_text="Where the limit comes from.", max_length=100
            ),
        ),
        migrations.AddField(
            model_name="timer",
            name="starts_on",
            field=models.DateField(
                blank=True, help_text="The day the limit counts from.", null=True
            ),
        ),
        migrations.AddField(
            model_name="timer",
            name="status",
            field=models.CharField(
                choices=[
                    ("running", "Running"),
                    ("fired", "Due date passed"),
                    ("met", "Met"),
                    ("ended", "Ended"),
                ],
                default="running",
                max_length=10,
            ),
        ),
        migrations.RunPython(states_forwards, states_backwards),
        migrations.RemoveConstraint(model_name="timer", name="one_pending_timer_per_cause"),
        migrations.RemoveField(model_name="timer", name="cancelled_at"),
        migrations.AlterField(
            model_name="timer",
            name="due_at",
            field=models.DateTimeField(db_index=True, help_text="When the sweep acts on it."),
        ),
        migrations.AlterField(
            model_name="timer",
            name="kind",
            field=models.CharField(
                help_text="What it is for, e.g. concerns.deadline.", max_length=100
            ),
        ),
        migrations.AlterField(
            model_name="timer",
            name="subject_type",
            field=models.CharField(help_text="The object it watches.", max_length=100),
        ),
        migrations.AddIndex(
            model_name="timer",
            index=models.Index(
                fields=["council", "subject_type", "subject_id"],
                name="core_timer_council_7cbd3f_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="timer",
            index=models.Index(fields=["status", "due_at"], name="core_timer_status_acbaae_idx"),
        ),
        migrations.AddConstraint(
            model_name="timer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "running")),
                fields=("council", "kind", "subject_type", "subject_id", "cause"),
                name="one_running_timer_per_cause",
            ),
        ),
    ]

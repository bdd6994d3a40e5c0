"""Recommendations and their decision steps move to the shared `decisions` app, for any
subject: each keeps its id, reference, times and steps; a move's case becomes its subject (its
stage when proposed, `subject_state`); an exception is about its location (the case open then
is kept in `proposal`). The step each pending one waits for is read from the chain of the
policy version it was made under. A case's deadlines become `core.Timer` rows (one clock).
Case moves and letter requests point at the moved rows; nothing is lost, and every step of the
way can be reversed."""

import datetime as dt

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models
from django.utils import timezone

from core.migration_ops import postgresql_only
from core.records import REFUSE_FUNCTION

DEADLINE = "concerns.deadline"


def _waiting(content: dict, kind: str, key: str, step: int) -> dict:
    """What a pending recommendation waits for, from its policy version's chain."""
    esc = (content or {}).get("escalation", {})
    items = esc.get("moves", []) if kind == "move" else esc.get("exceptions", [])
    item = next((i for i in items if i["key"] == key), None)
    approval = (item or {}).get("approval")
    if not approval:
        return {"someone_else": True}
    chain = approval.get("chain", [])
    out = {"someone_else": approval.get("someone_else", True)}
    if step < len(chain):
        check = chain[step]
        out.update(
            awaiting_label=check["label"],
            awaiting_role=check["role"],
            awaiting_post=check.get("title", ""),
        )
    else:
        makers = {m["key"]: m for m in content.get("decision_makers", [])}
        maker = makers.get(approval["decided_by"], {"title": approval["decided_by"]})
        out.update(
            awaiting_label=f"Decision of the {maker['title']}",
            awaiting_post=maker["title"],
            awaiting_decider=maker.get("kind", "person"),
        )
    return out


def _keep_times(*models_and_fields):
    """The copies keep their original times: `auto_now_add` is off on these historical
    fields while copying."""
    for model, name in models_and_fields:
        model._meta.get_field(name).auto_now_add = False


def _reset_sequences(schema_editor, *models):
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), list(models)):
        schema_editor.execute(sql)


def recommendations_forwards(apps, schema_editor):
    Old = apps.get_model("concerns", "Recommendation")
    OldStep = apps.get_model("concerns", "DecisionStep")
    New = apps.get_model("decisions", "Recommendation")
    NewStep = apps.get_model("decisions", "DecisionStep")
    Council = apps.get_model("councils", "Council")
    PolicyVersion = apps.get_model("councils", "PolicyVersion")
    _keep_times((New, "proposed_at"), (NewStep, "at"))
    active = dict(Council.objects.values_list("pk", "active_policy_id"))
    contents = dict(PolicyVersion.objects.values_list("pk", "content"))
    rows = []
    for old in Old.objects.all().order_by("id"):
        content = contents.get(old.policy_version_id or active.get(old.council_id)) or {}
        waiting = _waiting(content, old.kind, old.key, old.step)
        if old.kind == "move":
            subject = ("concerns.case", str(old.case_id))
            proposal = {"to": old.to_stage}
            exclusive = f"concerns.case:{old.case_id}"
        else:
            subject = ("providers.location", str(old.location_id))
            proposal = {"case": old.case_id} if old.case_id else {}
            exclusive = ""
        pending = old.status == "pending"
        rows.append(
            New(
                id=old.id,
                council_id=old.council_id,
                reference=old.reference,
                kind=old.kind,
                key=old.key,
                label=old.label,
                subject_type=subject[0],
                subject_id=subject[1],
                subject_state=old.from_stage,
                proposal=proposal,
                exclusive=exclusive,
                provider_id=old.provider_id,
                location_id=old.location_id,
                status=old.status,
                step=old.step,
                someone_else=waiting["someone_else"],
                awaiting_label=waiting.get("awaiting_label", "") if pending else "",
                awaiting_role=waiting.get("awaiting_role", "") if pending else "",
                awaiting_post=waiting.get("awaiting_post", "") if pending else "",
                awaiting_decider=waiting.get("awaiting_decider", "") if pending else "",
                proposed_by_id=old.proposed_by_id,
                proposed_by_label=old.proposed_by_label,
                proposed_at=old.proposed_at,
                waiting_since=old.waiting_since,
                reason=old.reason,
                evidence=old.evidence,
                details=old.details,
                urgent=old.urgent,
                decided_at=old.decided_at,
                decided_on=timezone.localdate(old.decided_at) if old.decided_at else None,
                decided_by_id=old.decided_by_id,
                decided_by_label=old.decided_by_label,
                decision_reasons=old.decision_reasons,
                stipulation=old.stipulation,
                policy_version_id=old.policy_version_id,
            )
        )
    New.objects.bulk_create(rows, batch_size=500)
    NewStep.objects.bulk_create(
        [
            NewStep(
                id=s.id,
                council_id=s.council_id,
                recommendation_id=s.recommendation_id,
                position=s.position,
                label=s.label,
                actor_id=s.actor_id,
                actor_label=s.actor_label,
                acting_as=s.acting_as,
                at=s.at,
                taken_on=timezone.localdate(s.at),
                outcome=s.outcome,
                reasons=s.reasons,
                stipulation=s.stipulation,
                urgent=s.urgent,
                virtual=s.virtual,
                meeting_on=s.meeting_on,
            )
            for s in OldStep.objects.all().order_by("id")
        ],
        batch_size=500,
    )
    _reset_sequences(schema_editor, New, NewStep)


def recommendations_backwards(apps, schema_editor):
    Old = apps.get_model("concerns", "Recommendation")
    OldStep = apps.get_model("concerns", "DecisionStep")
    New = apps.get_model("decisions", "Recommendation")
    NewStep = apps.get_model("decisions", "DecisionStep")
    _keep_times((Old, "proposed_at"), (OldStep, "at"))
    rows = []
    for new in New.objects.filter(kind__in=["move", "exception"]).order_by("id"):
        case_id = (
            int(new.subject_id) if new.subject_type == "concerns.case" else new.proposal.get("case")
        )
        rows.append(
            Old(
                id=new.id,
                council_id=new.council_id,
                reference=new.reference,
                kind=new.kind,
                key=new.key,
                label=new.label,
                case_id=case_id,
                provider_id=new.provider_id,
                location_id=new.location_id,
                from_stage=new.subject_state,
                to_stage=new.proposal.get("to", ""),
                status=new.status,
                step=new.step,
                proposed_by_id=new.proposed_by_id,
                proposed_by_label=new.proposed_by_label,
                proposed_at=new.proposed_at,
                waiting_since=new.waiting_since,
                reason=new.reason,
                evidence=new.evidence,
                details=new.details,
                urgent=new.urgent,
                decided_at=new.decided_at,
                decided_by_id=new.decided_by_id,
                decided_by_label=new.decided_by_label,
                decision_reasons=new.decision_reasons,
                stipulation=new.stipulation,
                policy_version_id=new.policy_version_id,
            )
        )
    Old.objects.bulk_create(rows, batch_size=500)
    OldStep.objects.bulk_create(
        [
            OldStep(
                id=s.id,
                council_id=s.council_id,
                recommendation_id=s.recommendation_id,
                position=s.position,
                label=s.label,
                actor_id=s.actor_id,
                actor_label=s.actor_label,
                acting_as=s.acting_as,
                at=s.at,
                outcome=s.outcome,
                reasons=s.reasons,
                stipulation=s.stipulation,
                urgent=s.urgent,
                virtual=s.virtual,
                meeting_on=s.meeting_on,
            )
            for s in NewStep.objects.filter(recommendation__in=[r.id for r in rows]).order_by("id")
        ],
        batch_size=500,
    )
    _reset_sequences(schema_editor, Old, OldStep)


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def deadlines_forwards(apps, schema_editor):
    Deadline = apps.get_model("concerns", "CaseDeadline")
    Timer = apps.get_model("core", "Timer")
    status = {"open": "running", "ended": "ended", "met": "met"}
    Timer.objects.bulk_create(
        [
            Timer(
                council_id=d.council_id,
                kind=DEADLINE,
                label=d.label,
                seed=d.seed,
                subject_type="concerns.case",
                subject_id=str(d.case_id),
                cause=f"move:{d.move_id}:{d.time_limit}",
                owner_id=d.case.lead_officer_id,
                starts_on=d.starts_on,
                due_on=d.due_on,
                due_at=_end_of_day(d.due_on),
                status=status.get(d.status, "running"),
                ended_at=d.ended_at,
                payload={
                    "time_limit": d.time_limit,
                    "stage": d.stage,
                    "ends_with_stage": d.ends_with_stage,
                    "move": d.move_id,
                },
            )
            for d in Deadline.objects.select_related("case").order_by("id")
        ],
        batch_size=500,
    )


def deadlines_backwards(apps, schema_editor):
    Deadline = apps.get_model("concerns", "CaseDeadline")
    Timer = apps.get_model("core", "Timer")
    status = {"running": "open", "fired": "open", "ended": "ended", "met": "met"}
    timers = Timer.objects.filter(kind=DEADLINE, subject_type="concerns.case").order_by("id")
    Deadline.objects.bulk_create(
        [
            Deadline(
                council_id=t.council_id,
                case_id=int(t.subject_id),
                move_id=t.payload["move"],
                time_limit=t.payload.get("time_limit", ""),
                label=t.label,
                seed=t.seed,
                stage=t.payload.get("stage", ""),
                starts_on=t.starts_on,
                due_on=t.due_on,
                ends_with_stage=t.payload.get("ends_with_stage", True),
                status=status[t.status],
                ended_at=t.ended_at,
            )
            for t in timers
        ]
    )
    timers.delete()


# The case moves' trigger moves to the shared function (core.records); the decision steps'
# went with their table to `decisions`.
MOVES_TO_SHARED = (
    REFUSE_FUNCTION
    + """
DROP TRIGGER IF EXISTS concerns_casemove_append_only ON concerns_casemove;
CREATE TRIGGER concerns_casemove_append_only BEFORE UPDATE OR DELETE ON concerns_casemove
    FOR EACH ROW EXECUTE FUNCTION core_refuse_change();
DROP FUNCTION IF EXISTS concerns_refuse_change();
"""
)
MOVES_TO_OWN = """
CREATE OR REPLACE FUNCTION concerns_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is a record: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS concerns_casemove_append_only ON concerns_casemove;
CREATE TRIGGER concerns_casemove_append_only BEFORE UPDATE OR DELETE ON concerns_casemove
    FOR EACH ROW EXECUTE FUNCTION concerns_refuse_change();
"""
# Backwards only: the old decision steps' table, made again, gets its trigger back.
STEPS_TRIGGER_BACK = """
CREATE TRIGGER concerns_decisionstep_append_only BEFORE UPDATE OR DELETE
    ON concerns_decisionstep FOR EACH ROW EXECUTE FUNCTION concerns_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0002_records_append_only"),
        ("core", "0004_one_clock"),
        ("decisions", "0001_initial"),
    ]

    operations = [
        # Copied before the foreign keys move (they must find the rows), and back after they
        # have moved back.
        migrations.RunPython(recommendations_forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="casemove",
            name="recommendation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="decisions.recommendation",
            ),
        ),
        migrations.AlterField(
            model_name="letterrequest",
            name="recommendation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="decisions.recommendation",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, recommendations_backwards),
        migrations.RunPython(deadlines_forwards, deadlines_backwards),
        postgresql_only("SELECT 1;", STEPS_TRIGGER_BACK),
        migrations.DeleteModel(name="CaseDeadline"),
        migrations.DeleteModel(name="DecisionStep"),
        migrations.DeleteModel(name="Recommendation"),
        postgresql_only(MOVES_TO_SHARED, MOVES_TO_OWN),
    ]

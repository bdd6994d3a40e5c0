"""A database made by `make run` before the decisions app migrates with nothing lost: the demo
of that time (with decisions taken, refused and withdrawn) is loaded on the old schema,
migrated, and every row is counted and every recommendation's steps compared."""

import gzip
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

FIXTURE = Path(__file__).parent / "migration_data" / "demo-before-decisions.json.gz"
BEFORE = [
    ("core", "0003_audit_append_only_trigger"),
    ("councils", "0001_initial"),
    ("providers", "0002_trigram_name_search"),
    ("monitoring", "0005_review_rating"),
    ("concerns", "0002_records_append_only"),
    ("decisions", None),
]
STEP_FIELDS = ("position", "label", "actor", "acting_as", "at", "outcome", "reasons", "urgent")


def _load(apps, objects) -> None:
    """The fixture into the old schema's models, as it was (times included)."""
    by_model = defaultdict(list)
    for obj in objects:
        by_model[obj["model"]].append(obj)
    models = []
    for label, rows in by_model.items():
        model = apps.get_model(label)
        models.append(model)
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                f.auto_now = f.auto_now_add = False
        m2m = {f.name for f in model._meta.many_to_many}
        instances, links = [], []
        for row in rows:
            values = {"pk": row["pk"]}
            for name, value in row["fields"].items():
                if name in m2m:
                    links.append((row["pk"], name, value))
                    continue
                field = model._meta.get_field(name)
                values[field.attname] = value
            instances.append(model(**values))
        model.objects.bulk_create(instances, batch_size=500)
        for pk, name, values in links:
            getattr(model.objects.get(pk=pk), name).set(values)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_the_decisions_app_migrates_with_nothing_lost():
    objects = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        _migrate_and_compare(executor, latest, objects)
    finally:  # the next tests find the schema as it is now, whatever happened
        executor = MigrationExecutor(connection)
        executor.migrate(latest)


def _migrate_and_compare(executor, latest, objects) -> None:
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    old_apps = executor.loader.project_state([n for n in BEFORE if n[1]]).apps
    with scopes_disabled(), transaction.atomic():  # foreign keys checked at the end
        _load(old_apps, objects)
    counts = Counter(o["model"] for o in objects)
    OldStep = old_apps.get_model("concerns", "DecisionStep")
    old_steps = defaultdict(list)
    for step in OldStep.objects.order_by("recommendation_id", "at", "id"):
        old_steps[step.recommendation_id].append(
            tuple(getattr(step, f if f != "actor" else "actor_id") for f in STEP_FIELDS)
        )
    OldRec = old_apps.get_model("concerns", "Recommendation")
    old_recs = {
        r.pk: (r.reference, r.kind, r.key, r.status, r.step, r.case_id, r.from_stage, r.to_stage)
        for r in OldRec.objects.all()
    }

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    executor.loader.build_graph()
    apps = executor.loader.project_state(latest).apps
    with scopes_disabled():
        # Everything that stayed where it was is all there.
        for label, n in counts.items():
            if label in ("concerns.recommendation", "concerns.decisionstep"):
                continue
            if label == "concerns.casedeadline":
                continue
            if label == "core.timer":
                continue
            assert apps.get_model(label).objects.count() == n, label
        # Recommendations and steps moved whole.
        Rec = apps.get_model("decisions", "Recommendation")
        Step = apps.get_model("decisions", "DecisionStep")
        assert Rec.objects.count() == counts["concerns.recommendation"] == len(old_recs) > 0
        assert Step.objects.count() == counts["concerns.decisionstep"] > 0
        for rec in Rec.objects.all():
            reference, kind, key, status, step, case_id, from_stage, to_stage = old_recs[rec.pk]
            assert (rec.reference, rec.kind, rec.key, rec.status, rec.step) == (
                reference,
                kind,
                key,
                status,
                step,
            )
            if kind == "move":
                assert (rec.subject_type, rec.subject_id) == ("concerns.case", str(case_id))
                assert (rec.subject_state, rec.proposal["to"]) == (from_stage, to_stage)
            else:
                assert rec.proposal.get("case") == case_id
            new_steps = [
                tuple(getattr(s, f if f != "actor" else "actor_id") for f in STEP_FIELDS)
                for s in Step.objects.filter(recommendation=rec).order_by("at", "id")
            ]
            assert new_steps == old_steps.get(rec.pk, [])
            # What a waiting one waits for is read from its chain; a decided one waits for none.
            assert bool(rec.awaiting_label) == (status == "pending")
        # Deadlines became timers on their cases, with their state.
        Timer = apps.get_model("core", "Timer")
        deadlines = Timer.objects.filter(kind="concerns.deadline")
        assert deadlines.count() == counts["concerns.casedeadline"] > 0
        assert Timer.objects.count() == counts["concerns.casedeadline"] + counts["core.timer"]
        assert set(deadlines.values_list("status", flat=True)) <= {"running", "ended", "met"}
        # Moves and letters still point at their recommendations.
        Move = apps.get_model("concerns", "CaseMove")
        assert set(
            Move.objects.exclude(recommendation=None).values_list("recommendation_id", flat=True)
        ) <= set(Rec.objects.values_list("pk", flat=True))

"""The intelligence log: recording an item, and correcting it with a reason (never deleting)."""

import datetime as dt

import pytest

from core.models import AuditEntry
from monitoring.models import Intelligence, IntelligenceCorrection, Outcome, Source
from monitoring.services import intelligence_correct, intelligence_set_outcome
from tests.factories import LocationFactory, ProviderFactory
from tests.monitoring.helpers import errors_of, log, today

pytestmark = pytest.mark.django_db


# === intelligence_record =================================================================


def test_recording_an_item(council_a, officer_a):
    location = LocationFactory(name="Oak Lodge")
    item = log(council_a, officer_a, location=location, allocated_to=officer_a)
    assert item.reference == f"INT-{today().year}-00001"
    assert item.provider == location.provider
    assert item.outcome == Outcome.OPEN and item.counts_toward_risk is True
    assert item.created_by_label == officer_a.get_full_name()
    entry = AuditEntry.objects.get(action="intelligence.recorded")
    assert entry.council == council_a and entry.object_id == str(item.pk)
    assert entry.summary == f"{item.reference}: Complaint about Oak Lodge logged"


def test_recording_about_a_whole_provider(council_a):
    provider = ProviderFactory()
    item = log(council_a, provider=provider)
    assert item.location is None and item.provider == provider


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"received_on": "tomorrow"}, "received_on"),
        ({"received_on": "2025-01-01"}, "received_on"),  # a string, not a date
        ({"themes": ["medication", "gardening"]}, "themes"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"severity": ""}, "severity"),
        ({"narrative": ""}, "narrative"),
        ({"narrative": "   \n "}, "narrative"),
        ({"source": "rumour"}, "source"),
    ],
)
def test_recording_names_the_bad_field(changes, field, council_a):
    if changes.get("received_on") == "tomorrow":
        changes = {"received_on": today() + dt.timedelta(days=1)}
    errors = errors_of(lambda: log(council_a, **changes))
    assert list(errors) == [field]
    assert not Intelligence.objects.exists()


def test_an_unknown_theme_is_named(council_a):
    errors = errors_of(lambda: log(council_a, themes=["medication", "gardening"]))
    assert errors["themes"] == ["Not a theme in this council's list: gardening"]


def test_recording_needs_a_location_or_a_provider(council_a):
    errors = errors_of(lambda: log(council_a, location=None, provider=None))
    assert list(errors) == ["location"]


def test_recording_refuses_a_location_of_another_provider(council_a):
    location = LocationFactory()
    errors = errors_of(lambda: log(council_a, location=location, provider=ProviderFactory()))
    assert errors == {"provider": ["The location belongs to another provider."]}
    assert log(council_a, location=location, provider=location.provider).location == location


def test_recording_allocates_only_within_the_council(council_a, officer_b):
    errors = errors_of(lambda: log(council_a, allocated_to=officer_b))
    assert list(errors) == ["allocated_to"]
    assert not Intelligence.objects.exists()


def test_references_run_per_council_and_year(council_a, council_b):
    year = today().year
    made = [log(council_a).reference for _ in range(3)]
    assert made == [f"INT-{year}-00001", f"INT-{year}-00002", f"INT-{year}-00003"]
    assert log(council_b).reference == f"INT-{year}-00001"
    last_year = dt.date(year - 1, 6, 1)
    assert log(council_a, received_on=last_year).reference == f"INT-{year - 1}-00001"
    assert log(council_a).reference == f"INT-{year}-00004"


def test_the_same_external_ref_gives_the_same_item(council_a, council_b):
    """A system posting the same `external_ref` again gets the item it already made."""
    location = LocationFactory()
    first = log(council_a, location=location, source=Source.SAFEGUARDING_ALERT, external_ref="SG-1")
    again = log(
        council_a,
        location=location,
        source=Source.SAFEGUARDING_ALERT,
        external_ref="SG-1",
        narrative="A different text: still the same alert",
    )
    assert again.pk == first.pk
    assert Intelligence.objects.filter(council=council_a).count() == 1
    assert again.narrative == first.narrative
    # the reference is the sender's: another source or another council makes a new item
    other_source = log(council_a, location=location, source=Source.COMPLAINT, external_ref="SG-1")
    theirs = log(
        council_b, location=location, source=Source.SAFEGUARDING_ALERT, external_ref="SG-1"
    )
    assert len({first.pk, other_source.pk, theirs.pk}) == 3
    assert AuditEntry.objects.filter(action="intelligence.recorded").count() == 3


# === intelligence_correct ================================================================


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_correction_needs_a_reason(reason, council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: intelligence_correct(item=item, actor=officer_a, reason=reason, severity="high")
    )
    assert list(errors) == ["reason"]
    item.refresh_from_db()
    assert item.severity == "medium"
    assert not IntelligenceCorrection.objects.exists()


def test_a_correction_records_one_row_per_changed_field(council_a, officer_a):
    """Nothing is overwritten silently: each changed field keeps what it was, what it
    became, who and why; fields given unchanged make no row."""
    item = log(council_a, officer_a)
    corrected = intelligence_correct(
        item=item,
        actor=officer_a,
        reason="Typed in the wrong box",
        severity="high",
        themes=["medication", "staffing"],
        narrative=item.narrative,  # unchanged
        source=Source.COMPLAINT,  # unchanged
    )
    assert (corrected.severity, corrected.themes) == ("high", ["medication", "staffing"])
    rows = list(IntelligenceCorrection.objects.filter(item=item).order_by("field"))
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [
        ("severity", "medium", "high"),
        ("themes", "medication", "medication, staffing"),
    ]
    assert {(r.reason, r.by_label, r.council_id) for r in rows} == {
        ("Typed in the wrong box", officer_a.get_full_name(), council_a.pk)
    }
    entry = AuditEntry.objects.get(action="intelligence.corrected")
    assert entry.reason == "Typed in the wrong box"
    assert entry.summary == f"{item.reference} corrected: severity, themes"
    assert entry.actor == officer_a and entry.object_id == str(item.pk)
    item.refresh_from_db()
    assert item.severity == "high"
    assert Intelligence.objects.count() == 1


def test_a_correction_that_changes_nothing_records_nothing(council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: intelligence_correct(
            item=item, actor=officer_a, reason="Checked", severity="medium"
        )
    )
    assert "reason" in errors  # "Nothing was changed": the officer is told, nothing recorded
    assert not IntelligenceCorrection.objects.exists()
    assert not AuditEntry.objects.filter(action="intelligence.corrected").exists()


@pytest.mark.parametrize("field", ["reference", "outcome", "provider", "external_ref"])
def test_a_correction_refuses_fields_that_cannot_be_corrected(field, council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: intelligence_correct(item=item, actor=officer_a, reason="x", **{field: "y"})
    )
    assert errors == {field: ["cannot be corrected"]}


def test_a_correction_moves_an_item_within_its_provider_only(council_a, officer_a):
    location = LocationFactory(name="Oak Lodge")
    sister = LocationFactory(name="Elm House", provider=location.provider)
    item = log(council_a, location=location)
    errors = errors_of(
        lambda: intelligence_correct(
            item=item, actor=officer_a, reason="Wrong home", location=LocationFactory()
        )
    )
    assert errors == {"location": ["Choose a location of the same provider."]}
    moved = intelligence_correct(item=item, actor=officer_a, reason="Wrong home", location=sister)
    assert moved.location == sister
    row = IntelligenceCorrection.objects.get()
    assert (row.field, row.old_value, row.new_value) == ("location", "Oak Lodge", "Elm House")
    whole = intelligence_correct(item=moved, actor=officer_a, reason="All homes", location=None)
    assert whole.location is None and whole.provider == location.provider


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"received_on": "tomorrow"}, "received_on"),
        ({"themes": ["gardening"]}, "themes"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"narrative": " "}, "narrative"),
        ({"source": "rumour"}, "source"),
    ],
)
def test_a_correction_checks_the_new_values(changes, field, council_a, officer_a):
    if changes.get("received_on") == "tomorrow":
        changes = {"received_on": today() + dt.timedelta(days=1)}
    item = log(council_a)
    errors = errors_of(
        lambda: intelligence_correct(item=item, actor=officer_a, reason="x", **changes)
    )
    assert list(errors) == [field]
    assert not IntelligenceCorrection.objects.exists()


def test_a_correction_allocates_only_within_the_council(council_a, officer_a, officer_b):
    item = log(council_a)
    errors = errors_of(
        lambda: intelligence_correct(item=item, actor=officer_a, reason="x", allocated_to=officer_b)
    )
    assert list(errors) == ["allocated_to"]
    done = intelligence_correct(item=item, actor=officer_a, reason="Mine", allocated_to=officer_a)
    assert done.allocated_to == officer_a
    row = IntelligenceCorrection.objects.get()
    assert (row.old_value, row.new_value) == ("", str(officer_a))


def test_a_correction_cannot_put_receipt_after_the_outcome(council_a, officer_a):
    item = log(council_a, received_on=today() - dt.timedelta(days=20))
    intelligence_set_outcome(
        item=item,
        actor=officer_a,
        outcome=Outcome.UPHELD,
        reason="Enquiry closed",
        outcome_on=today() - dt.timedelta(days=10),
    )
    item.refresh_from_db()
    errors = errors_of(
        lambda: intelligence_correct(
            item=item, actor=officer_a, reason="Date", received_on=today() - dt.timedelta(days=5)
        )
    )
    assert "received_on" in errors


def test_a_correction_cannot_make_two_items_of_one_external_ref(council_a, officer_a):
    location = LocationFactory()
    log(council_a, location=location, source=Source.SAFEGUARDING_ALERT, external_ref="SG-9")
    other = log(council_a, location=location, source=Source.COMPLAINT, external_ref="SG-9")
    errors = errors_of(
        lambda: intelligence_correct(
            item=other, actor=officer_a, reason="Wrong source", source=Source.SAFEGUARDING_ALERT
        )
    )
    assert list(errors) == ["source"]


def test_intelligence_is_never_deleted_with_its_location(council_a, officer_a):
    """The log keeps its items: a location or provider with intelligence cannot be deleted,
    nor an item with corrections."""
    from django.db.models import ProtectedError

    item = log(council_a)
    intelligence_correct(item=item, actor=officer_a, reason="r", severity="high")
    with pytest.raises(ProtectedError):
        item.location.delete()
    with pytest.raises(ProtectedError):
        item.delete()
    assert Intelligence.objects.filter(pk=item.pk).exists()

"""Monitoring: what a council commissions at each location (high impact, 001 3.1; market risk,
003 1.8) and its intelligence log (never deleted: corrected with a reason; 004 11.1 "provider
not liable" keeps the item but takes it off the risk figures; regulator rating changes arrive
by themselves). Services first, one test per rule, then the pages.

Every rule reads the council's pack: thresholds, themes, severities and attachment limits are
never hard-coded in the app, so several tests load a changed pack with `policy_load`."""

import datetime as dt
import html
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import ValidationFailed
from core.models import AuditEntry
from councils.models import Council, Membership, Role
from councils.services import policy_load
from monitoring.models import (
    Commissioning,
    Intelligence,
    IntelligenceAttachment,
    IntelligenceCorrection,
    Outcome,
    Source,
)
from monitoring.selectors import market_position
from monitoring.services import (
    attachment_add,
    commissioning_save,
    intelligence_correct,
    intelligence_record,
    intelligence_set_outcome,
    rating_changes_to_intelligence,
)
from providers.models import ImportFormat, RatingChange
from providers.services import import_from_path
from tests.factories import LocationFactory, ProviderFactory, RatingFactory, policy_text

pytestmark = pytest.mark.django_db


# --- helpers ------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def commission(council, location=None, actor=None, **values) -> Commissioning:
    """Save a commissioning with every measure at 0 unless given."""
    fields = {
        "contract_type": "spot",
        "in_area": True,
        "annual_spend": 0,
        "beds": 0,
        "home_care_hours": 0,
        "people": 0,
        "specialist_service": "",
    }
    fields.update(values)
    return commissioning_save(
        council=council, location=location or LocationFactory(), actor=actor, **fields
    )


def position(council, record):
    council = Council.objects.select_related("active_policy").get(pk=council.pk)
    return market_position(council=council, commissioning=record)


def log(council, actor=None, **values) -> Intelligence:
    """Record an item about a new location unless one is given."""
    fields = {
        "source": Source.COMPLAINT,
        "received_on": today(),
        "severity": "medium",
        "narrative": "A relative reported missed medication on two evenings.",
        "themes": ["medication"],
    }
    fields.update(values)
    if "location" not in fields and "provider" not in fields:
        fields["location"] = LocationFactory()
    return intelligence_record(council=council, actor=actor, **fields)


def pack_with(code: str, *replacements: tuple[str, str]) -> Council:
    """Load the council's real pack with some lines changed; the change becomes active."""
    text = policy_text(code)
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return policy_load(text=text, source_name=f"{code}-changed.yaml").council


def errors_of(call) -> dict:
    with pytest.raises(ValidationFailed) as exc:
        call()
    return exc.value.errors


def page(response) -> str:
    return html.unescape(response.content.decode())


# === Commissioning: high impact (001 3.1) =================================================

MEASURE_CASES = [
    # (measure column, value at 10%, rest, label in the reason, amounts in the reason)
    ("beds", 10, 90, "beds", "(10 of 100)"),
    (
        "home_care_hours",
        Decimal("10.00"),
        Decimal("90.00"),
        "home care hours a week",
        "(10 of 100)",
    ),
    ("people", 10, 90, "people funded", "(10 of 100)"),
    ("annual_spend", Decimal("10000"), Decimal("90000"), "annual spend", "(£10,000 of £100,000)"),
]


@pytest.mark.parametrize(("column", "value", "rest", "label", "amounts"), MEASURE_CASES)
def test_high_impact_at_exactly_ten_percent_of_each_measure(
    column, value, rest, label, amounts, load_pack
):
    """001 3.1 (Bedford): "providers meeting at least one of the following criteria are deemed
    high impact providers: providing 10% or more of beds; providing 10% or more of the home
    care hours; providing services to 10% or more of service users; providing services
    amounting to 10% or more of service spend". Exactly 10% counts: "10% or more"."""
    bedford = load_pack("bedford")
    commission(bedford, **{column: rest})
    record = commission(bedford, **{column: value})
    result = position(bedford, record)
    assert result.high_impact is True
    assert result.high_impact_reasons == [
        f"10% of the council's {label} {amounts}; the threshold is 10% (001 3.1)"
    ]


@pytest.mark.parametrize(
    ("column", "value", "rest"),
    [
        ("beds", 99, 901),  # 9.9%
        ("home_care_hours", Decimal("9.9"), Decimal("90.1")),
        ("people", 99, 901),
        ("annual_spend", Decimal("9999.99"), Decimal("90000.01")),
    ],
)
def test_just_under_ten_percent_is_not_high_impact(column, value, rest, load_pack):
    """001 3.1: "10% or more"; 9.9% of a measure is not enough."""
    bedford = load_pack("bedford")
    commission(bedford, **{column: rest})
    record = commission(bedford, **{column: value})
    result = position(bedford, record)
    assert result.high_impact is False
    assert result.high_impact_reasons == []


def test_every_measure_over_the_threshold_is_a_reason(load_pack):
    """001 3.1: "at least one of the following criteria"; each one met is listed."""
    bedford = load_pack("bedford")
    commission(bedford, beds=50, home_care_hours=50, people=50, annual_spend=50000)
    record = commission(bedford, beds=50, home_care_hours=0, people=50, annual_spend=50000)
    result = position(bedford, record)
    assert result.high_impact is True
    assert [r.split("%")[0] for r in result.high_impact_reasons] == ["50", "50", "50"]
    assert "beds" in result.high_impact_reasons[0]
    assert "people funded" in result.high_impact_reasons[1]
    assert "annual spend" in result.high_impact_reasons[2]


def test_nothing_commissioned_is_not_high_impact(council_a):
    """A commissioning with nothing bought (all totals 0) is neither high impact nor a risk."""
    record = commission(council_a)
    result = position(council_a, record)
    assert (result.high_impact, result.market_risk) == (False, False)
    assert result.high_impact_reasons == result.market_risk_reasons == []


def test_the_totals_are_the_councils_own(council_a, council_b):
    """The share is of the council's own commissioning: another council's beds do not count."""
    commission(council_b, beds=1000)
    commission(council_a, beds=95)
    record = commission(council_a, beds=5)
    assert position(council_a, record).high_impact is False  # 5 of 100, not 5 of 1,100
    big = commission(council_a, beds=50)
    assert (
        position(council_a, big)
        .high_impact_reasons[0]
        .startswith("33% of the council's beds (50 of 150)")
    )


def test_a_specialist_service_without_figures_is_high_impact(load_pack):
    """001 3.1: "providing 10% or more of a specialist service". With no figures for the
    service there is no share to judge, so the officer sees it flagged and why."""
    bedford = load_pack("bedford")
    commission(bedford, beds=100)
    record = commission(bedford, specialist_service="Young onset dementia")
    result = position(bedford, record)
    assert result.high_impact is True
    assert result.high_impact_reasons == [
        "Specialist service: Young onset dementia, with no figures to judge its share (001 3.1)"
    ]


def test_a_tenth_of_a_specialist_service_is_high_impact_and_less_is_not(load_pack):
    """001 3.1: "providing 10% or more of a specialist service": the provider's share of what
    the council buys of that service (by each measure), not of everything it buys."""
    bedford = load_pack("bedford")
    commission(bedford, people=1000, annual_spend=5_000_000)  # the rest of the market
    big = commission(bedford, specialist_service="Young onset dementia", people=20)
    other = commission(bedford, specialist_service="young onset  Dementia", people=75)
    tiny = commission(bedford, specialist_service="Young onset dementia", people=5)
    big_result, other_result, tiny_result = (position(bedford, r) for r in (big, other, tiny))
    assert tiny_result.high_impact is False  # 5 of 100 people in the service: under 10%
    assert big_result.high_impact is True
    assert big_result.high_impact_reasons == [
        "20% of the council's people funded in the specialist service Young onset dementia "
        "(20 of 100); the threshold is 10% (001 3.1)"
    ]
    assert other_result.high_impact is True  # names compared whatever the case and spacing
    assert "75% of the council's people funded" in other_result.high_impact_reasons[-1]


def test_high_impact_is_the_providers_share_across_its_locations(load_pack):
    """001 3.1: "providers meeting at least one of the following criteria are deemed high
    impact providers: providing 10% or more of beds". A provider's beds are those of all its
    locations the council commissions."""
    bedford = load_pack("bedford")
    provider = ProviderFactory()
    first = commission(bedford, LocationFactory(provider=provider), beds=6)
    commission(bedford, LocationFactory(provider=provider), beds=6)
    commission(bedford, beds=88)
    assert position(bedford, first).high_impact is True  # the provider has 12 of 100 beds


# === Commissioning: market risk (003 1.8) =================================================


@pytest.mark.parametrize(
    ("values", "reasons"),
    [
        ({"contract_type": "block"}, ["Block contract (003 1.8)"]),
        (
            {"specialist_service": "Learning disability respite"},
            ["Specialist service: Learning disability respite (003 1.8)"],
        ),
        ({"people": 40}, ["40 people in one setting (40 or more; 003 1.8)"]),
        ({"people": 39}, []),
        ({"contract_type": "spot"}, []),
        ({"contract_type": "framework"}, []),
        (
            {"contract_type": "block", "people": 55},
            ["Block contract (003 1.8)", "55 people in one setting (40 or more; 003 1.8)"],
        ),
    ],
)
def test_market_risk_criteria(values, reasons, load_pack):
    """003 1.8 (Somerset) "Key market risk criteria: Strategic importance in the market place,
    such as block providers or specialist services; Care Providers offering a service to large
    numbers of people in one setting" (pack: block_contract, specialist_service,
    people_at_least: 40)."""
    somerset = load_pack("somerset")
    commission(somerset, people=1000)  # keeps the shares small; irrelevant to market risk
    record = commission(somerset, **values)
    result = position(somerset, record)
    assert result.market_risk_reasons == reasons
    assert result.market_risk is bool(reasons)


# === The pack decides ===================================================================


def test_a_changed_share_percent_is_honoured(council_a):
    """The threshold is the pack's `commissioning.high_impact.share_percent`, not a constant:
    with 25% loaded into Bromley's pack, 20% of beds is no longer high impact and 25% is."""
    commission(council_a, beds=55)
    at_25 = commission(council_a, beds=25)
    at_20 = commission(council_a, beds=20)
    assert position(council_a, at_20).high_impact is True  # 20% under the real pack's 10%
    council = pack_with("bromley", ("share_percent: 10", "share_percent: 25"))
    assert position(council, at_20).high_impact is False
    assert position(council, at_25).high_impact_reasons == [
        "25% of the council's beds (25 of 100); the threshold is 25% (001 3.1)"
    ]
    council = pack_with("bromley", ("share_percent: 10", "share_percent: 20.5"))
    assert position(council, at_20).high_impact is False
    assert (
        position(council, at_25).high_impact_reasons[0].endswith("the threshold is 20.5% (001 3.1)")
    )


def test_only_the_packs_measures_count(council_a):
    """`measures` lists what a share is taken of: with [beds] only, half the spend is no
    reason."""
    council = pack_with(
        "bromley",
        (
            "measures: [beds, home_care_hours, people, spend]",
            "measures: [beds]",
        ),
    )
    commission(council, annual_spend=50000, people=1)
    record = commission(council, annual_spend=50000, people=1)
    assert position(council, record).high_impact is False


def test_the_pack_can_switch_off_specialist_and_block_and_move_people(council_a):
    council = pack_with(
        "bromley",
        (
            '    specialist_service: true\n    seed: "001 3.1"',
            '    specialist_service: false\n    seed: "001 3.1"',
        ),
        ("block_contract: true", "block_contract: false"),
        ("people_at_least: 40", "people_at_least: 10"),
    )
    commission(council, people=1000)
    record = commission(council, contract_type="block", specialist_service="Dementia", people=10)
    result = position(council, record)
    assert result.high_impact is False  # specialist off for high impact; 10 of 1,010 people
    assert result.market_risk_reasons == [
        "Specialist service: Dementia (000 3.i)",
        "10 people in one setting (10 or more; 000 3.i)",
    ]


# === commissioning_save ==================================================================


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("beds", -1),
        ("people", -3),
        ("annual_spend", Decimal("-0.01")),
        ("home_care_hours", Decimal("-0.5")),
    ],
)
def test_commissioning_refuses_negative_numbers(field, value, council_a):
    location = LocationFactory()
    errors = errors_of(lambda: commission(council_a, location, **{field: value}))
    assert list(errors) == [field]
    assert not Commissioning.objects.exists()


@pytest.mark.parametrize("contract_type", ["lease", "", None, "BLOCK"])
def test_commissioning_refuses_an_unknown_contract_type(contract_type, council_a):
    errors = errors_of(lambda: commission(council_a, contract_type=contract_type))
    assert list(errors) == ["contract_type"]
    assert not Commissioning.objects.exists()


def test_commissioning_contact_officer_must_work_for_the_council(
    council_a, officer_a, officer_b, member
):
    errors = errors_of(lambda: commission(council_a, contact_officer=officer_b))
    assert errors == {"contact_officer": ["The contact officer must work for this council."]}
    leaver = member(council_a)
    Membership.objects.filter(user=leaver).update(is_active=False)
    assert "contact_officer" in errors_of(lambda: commission(council_a, contact_officer=leaver))
    assert not Commissioning.objects.exists()
    assert commission(council_a, contact_officer=officer_a).contact_officer == officer_a


def test_commissioning_refuses_unknown_fields(council_a):
    errors = errors_of(lambda: commission(council_a, colour="red"))
    assert errors == {"colour": ["is not a field"]}


def test_commissioning_update_keeps_one_row_and_is_audited(council_a, officer_a):
    location = LocationFactory(name="Oak Lodge")
    first = commission(council_a, location, actor=officer_a, beds=10)
    second = commission(council_a, location, actor=officer_a, beds=12, contract_type="block")
    assert first.pk == second.pk
    assert Commissioning.objects.filter(council=council_a, location=location).count() == 1
    second.refresh_from_db()
    assert (second.beds, second.contract_type) == (12, "block")
    entries = AuditEntry.objects.filter(council=council_a, action="commissioning.saved")
    assert sorted(e.summary for e in entries) == [
        "Commissioning of Oak Lodge changed",
        "Commissioning of Oak Lodge recorded",
    ]
    assert {e.actor for e in entries} == {officer_a}


def test_two_councils_commission_the_same_location_separately(council_a, council_b):
    location = LocationFactory()
    commission(council_a, location, beds=3)
    commission(council_b, location, beds=7)
    assert sorted(Commissioning.objects.values_list("beds", flat=True)) == [3, 7]


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


# === intelligence_set_outcome (004 11.1) =================================================


def test_provider_not_liable_keeps_the_item_off_the_risk_figures(council_a, officer_a):
    """004 11.1 (West Berkshire): "If, following investigation of a CQ1 originally included on
    the risk matrix, it is found the Provider was in no way liable then it will be removed
    from the risk matrix". The item is kept (never deleted), with the outcome recorded as a
    correction."""
    item = log(council_a, source=Source.CQ1, received_on=today() - dt.timedelta(days=3))
    done = intelligence_set_outcome(
        item=item, actor=officer_a, outcome=Outcome.NOT_LIABLE, reason="Outcome letter received"
    )
    assert done.counts_toward_risk is False
    assert (done.outcome, done.outcome_on) == (Outcome.NOT_LIABLE, today())
    assert Intelligence.objects.filter(pk=item.pk).exists()
    row = IntelligenceCorrection.objects.get(item=item)
    assert (row.field, row.old_value, row.new_value, row.reason) == (
        "outcome",
        "Open",
        "Provider not liable",
        "Outcome letter received",
    )
    entry = AuditEntry.objects.get(action="intelligence.outcome")
    assert entry.reason == "Outcome letter received"
    assert entry.summary == f"{item.reference}: Provider not liable"


@pytest.mark.parametrize(
    "outcome", [Outcome.OPEN, Outcome.UNDER_ENQUIRY, Outcome.UPHELD, Outcome.NOT_UPHELD]
)
def test_other_outcomes_still_count(outcome, council_a, officer_a):
    item = log(council_a)
    done = intelligence_set_outcome(item=item, actor=officer_a, outcome=outcome, reason="r")
    assert done.counts_toward_risk is True


def test_an_outcome_before_the_item_was_received_is_refused(council_a, officer_a):
    item = log(council_a, received_on=today() - dt.timedelta(days=5))
    errors = errors_of(
        lambda: intelligence_set_outcome(
            item=item,
            actor=officer_a,
            outcome=Outcome.UPHELD,
            reason="r",
            outcome_on=today() - dt.timedelta(days=6),
        )
    )
    assert errors == {"outcome_on": ["The outcome cannot come before the item was received."]}
    same_day = intelligence_set_outcome(
        item=item,
        actor=officer_a,
        outcome=Outcome.UPHELD,
        reason="r",
        outcome_on=today() - dt.timedelta(days=5),
    )
    assert same_day.outcome_on == item.received_on


def test_an_outcome_in_the_future_is_refused(council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: intelligence_set_outcome(
            item=item,
            actor=officer_a,
            outcome=Outcome.UPHELD,
            reason="r",
            outcome_on=today() + dt.timedelta(days=1),
        )
    )
    assert list(errors) == ["outcome_on"]
    item.refresh_from_db()
    assert item.outcome == Outcome.OPEN and not IntelligenceCorrection.objects.exists()


def test_an_outcome_needs_a_known_outcome_and_a_reason(council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: intelligence_set_outcome(item=item, actor=officer_a, outcome="guilty", reason="")
    )
    assert set(errors) == {"outcome", "reason"}


def test_the_same_outcome_twice_records_it_once(council_a, officer_a):
    item = log(council_a)
    for _ in range(2):
        intelligence_set_outcome(item=item, actor=officer_a, outcome=Outcome.UPHELD, reason="r")
    assert IntelligenceCorrection.objects.filter(field="outcome").count() == 1


# === attachment_add ======================================================================


def test_attaching_a_file(council_a, officer_a):
    item = log(council_a)
    attachment = attachment_add(
        item=item, actor=officer_a, filename="Visit notes.PDF", content=b"%PDF-1.4 notes"
    )
    assert (attachment.original_name, attachment.size) == ("Visit notes.PDF", 14)
    assert attachment.council == council_a
    with attachment.file.open("rb") as fh:
        assert fh.read() == b"%PDF-1.4 notes"
    assert AuditEntry.objects.get(action="intelligence.attachment").summary == (
        f"{item.reference}: Visit notes.PDF attached"
    )


@pytest.mark.parametrize("filename", ["payload.exe", "notes", "archive.tar.gz", "script.js"])
def test_attaching_a_type_the_pack_does_not_allow(filename, council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: attachment_add(item=item, actor=officer_a, filename=filename, content=b"x")
    )
    assert list(errors) == ["file"] and errors["file"][0].startswith("The file must be one of:")
    assert not IntelligenceAttachment.objects.exists()


def test_the_packs_types_decide(council_a, officer_a):
    council = pack_with(
        "bromley",
        (
            "types: [pdf, docx, doc, xlsx, xls, odt, txt, eml, msg, png, jpg, jpeg]",
            "types: [txt]",
        ),
    )
    item = log(council)
    assert errors_of(
        lambda: attachment_add(item=item, actor=officer_a, filename="a.pdf", content=b"x")
    ) == {"file": ["The file must be one of: txt."]}
    assert attachment_add(item=item, actor=officer_a, filename="a.txt", content=b"x").size == 1


def test_attaching_an_empty_file(council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: attachment_add(item=item, actor=officer_a, filename="empty.txt", content=b"")
    )
    assert errors == {"file": ["The file is empty."]}


def test_attaching_a_file_larger_than_the_packs_limit(council_a, officer_a):
    """`intelligence.attachments.max_megabytes` from the pack: 1 MB loaded, 1 MB + 1 byte is
    refused and exactly 1 MB accepted."""
    council = pack_with("bromley", ("max_megabytes: 10", "max_megabytes: 1"))
    item = log(council)
    errors = errors_of(
        lambda: attachment_add(
            item=item, actor=officer_a, filename="big.txt", content=b"x" * (1024 * 1024 + 1)
        )
    )
    assert errors == {"file": ["The file must be no larger than 1 MB."]}
    ok = attachment_add(item=item, actor=officer_a, filename="ok.txt", content=b"x" * 1024 * 1024)
    assert ok.size == 1024 * 1024


def test_a_fractional_size_limit_is_worded_as_loaded(council_a, officer_a):
    council = pack_with("bromley", ("max_megabytes: 10", "max_megabytes: 0.5"))
    item = log(council)
    errors = errors_of(
        lambda: attachment_add(
            item=item, actor=officer_a, filename="big.txt", content=b"x" * (600 * 1024)
        )
    )
    assert errors["file"] == ["The file must be no larger than 0.5 MB."]


# === Rating changes into the log =========================================================


def rating_change(location, previous="Good", current="Inadequate", report=dt.date(2025, 9, 1)):
    old = RatingFactory(location=location, overall=previous, report_date=dt.date(2023, 3, 14))
    new = RatingFactory(
        location=location,
        overall=current,
        report_date=report,
        report_link_id="rl-new",
        safe=current,
    )
    return RatingChange.objects.create(
        location=location,
        previous=old,
        current=new,
        previous_overall=previous,
        current_overall=current,
    )


def test_a_rating_change_reaches_the_council_whose_area_it_is_in(council_a, council_b):
    """The location's local authority is in Bromley's `council.local_authorities`: Bromley
    gets a CQC item; West Berkshire, neither commissioning it nor covering the area, none."""
    location = LocationFactory(name="Oak Lodge", local_authority="Bromley")
    change = rating_change(location)
    assert rating_changes_to_intelligence() == 1
    item = Intelligence.objects.get()
    assert item.council == council_a
    assert (item.source, item.severity, item.location, item.provider) == (
        Source.CQC,
        "high",
        location,
        location.provider,
    )
    assert item.rating_change == change
    assert item.received_on == dt.date(2025, 9, 1)
    assert item.reference == "INT-2025-00001"
    assert item.narrative.startswith(
        "CQC rating changed from Good to Inadequate (report published 01 September 2025, rl-new)."
    )
    assert "Safe Inadequate" in item.narrative
    assert item.created_by_label == "System"


def test_a_rating_change_reaches_a_council_that_commissions_the_location(council_a, council_b):
    location = LocationFactory(local_authority="Bromley")
    commission(council_b, location, beds=2)
    rating_change(location)
    assert rating_changes_to_intelligence() == 2
    assert sorted(Intelligence.objects.values_list("council__code", flat=True)) == [
        "bromley",
        "west-berkshire",
    ]


def test_a_rating_change_no_council_watches_makes_nothing(council_a, council_b):
    rating_change(LocationFactory(local_authority="Leeds"))
    assert rating_changes_to_intelligence() == 0
    assert not Intelligence.objects.exists()


def test_a_council_that_commissions_and_covers_the_area_gets_one_item(council_a):
    location = LocationFactory(local_authority="Bromley")
    commission(council_a, location, beds=2)
    rating_change(location)
    assert rating_changes_to_intelligence() == 1


def test_rating_changes_arrive_once_only(council_a, council_b):
    location = LocationFactory(local_authority="West Berkshire")
    rating_change(location)
    assert rating_changes_to_intelligence() == 1
    assert rating_changes_to_intelligence() == 0
    commission(council_a, location, beds=1)  # a council that starts commissioning it later
    assert rating_changes_to_intelligence() == 1
    assert rating_changes_to_intelligence() == 0
    assert Intelligence.objects.count() == 2
    assert Intelligence.objects.filter(council=council_b).count() == 1


@pytest.mark.parametrize(
    ("current", "severity"),
    [
        ("Inadequate", "high"),
        ("Requires improvement", "medium"),
        ("Good", "low"),
        ("Outstanding", "low"),
    ],
)
def test_rating_change_severity(current, severity, council_a):
    rating_change(
        LocationFactory(), previous="Good" if current != "Good" else "Inadequate", current=current
    )
    rating_changes_to_intelligence()
    assert Intelligence.objects.get().severity == severity


def test_a_rating_published_in_the_future_is_received_today(council_a):
    rating_change(LocationFactory(), report=today() + dt.timedelta(days=3))
    rating_changes_to_intelligence()
    assert Intelligence.objects.get().received_on == today()


def _cqc_record(overall, report_date, report_link_id):
    kq = [
        {"name": n, "rating": overall}
        for n in ("Safe", "Effective", "Caring", "Responsive", "Well-led")
    ]
    return {
        "locationId": "1-113737059",
        "providerId": "1-101641361",
        "name": "Oak Lodge",
        "organisationType": "Location",
        "registrationStatus": "Registered",
        "careHome": "Y",
        "numberOfBeds": 42,
        "postalAddressLine1": "1 Oak Road",
        "postalAddressTownCity": "Bromley",
        "postalCode": "BR1 1AA",
        "localAuthority": "Bromley",
        "region": "London",
        "currentRatings": {
            "overall": {
                "rating": overall,
                "reportDate": report_date,
                "reportLinkId": report_link_id,
                "keyQuestionRatings": kq,
            }
        },
        "historicRatings": [],
    }


def test_importing_a_changed_rating_puts_it_in_the_log(
    council_a, council_b, tmp_path, django_capture_on_commit_callbacks
):
    """End to end: the importer records the change and queues monitoring's sweep on commit
    (Celery eager in tests); Bromley's log has the item; importing again adds nothing."""
    path = tmp_path / "cqc.json"

    def run(record):
        path.write_text(json.dumps([record]))
        with django_capture_on_commit_callbacks(execute=True):
            return import_from_path(path=path, format=ImportFormat.CQC_JSON)

    run(_cqc_record("Good", "2024-03-14", "rl-2024"))
    assert not Intelligence.objects.exists()  # a first import is no change
    second = run(_cqc_record("Requires improvement", "2025-09-01", "rl-2025"))
    assert second.rating_changes == 1
    item = Intelligence.objects.get()
    assert (item.council, item.source, item.severity) == (council_a, Source.CQC, "medium")
    assert item.location.name == "Oak Lodge"
    assert "from Good to Requires improvement" in item.narrative
    run(_cqc_record("Requires improvement", "2025-09-01", "rl-2025"))
    assert Intelligence.objects.count() == 1


# === Pages ==============================================================================


@pytest.fixture
def oak(council_a):
    """A Bromley location the council commissions on a block contract, all its beds."""
    location = LocationFactory(name="Oak Lodge")
    commission(council_a, location, contract_type="block", beds=30, people=30)
    commission(council_a, beds=70, people=70)
    return location


def test_location_page_shows_the_councils_commissioning_and_position(oak, officer_a, signed_in):
    text = page(signed_in(officer_a).get(f"/locations/{oak.pk}/"))
    assert "Bromley’s record" in text
    assert "High impact" in text and "Market risk" in text
    assert "30% of the council's beds (30 of 100); the threshold is 10% (001 3.1)" in text
    assert "30% of the council's people funded (30 of 100)" in text
    assert "Block contract (000 3.i)" in text
    assert "Block, in the council's area" in text
    assert "Change commissioning" in text and "Log intelligence" in text


def test_location_page_without_commissioning(council_a, officer_a, signed_in):
    location = LocationFactory()
    text = page(signed_in(officer_a).get(f"/locations/{location.pk}/"))
    assert "has not recorded commissioning here" in text
    assert "High impact" not in text and "Market risk" not in text
    assert "Record commissioning" in text
    assert "No intelligence logged." in text


def test_location_page_shows_the_councils_own_items_only(
    oak, council_a, council_b, officer_a, signed_in
):
    mine = log(council_a, location=oak)
    whole = log(council_a, provider=oak.provider, source=Source.WHISTLEBLOWING)
    theirs = log(council_b, location=oak)
    theirs.reference = "INT-THEIRS"
    theirs.save()
    settled = log(council_a, location=oak)
    intelligence_set_outcome(item=settled, actor=None, outcome=Outcome.NOT_LIABLE, reason="r")
    text = page(signed_in(officer_a).get(f"/locations/{oak.pk}/"))
    assert mine.reference in text and whole.reference in text
    assert "(all the provider's services)" in text
    assert "INT-THEIRS" not in text
    assert "Not counted" in text


def test_placement_staff_see_commissioning_but_not_intelligence(oak, council_a, member, signed_in):
    item = log(council_a, location=oak)
    client = signed_in(member(council_a, Role.PLACEMENT))
    text = page(client.get(f"/locations/{oak.pk}/"))
    assert "High impact" in text and "Block contract (000 3.i)" in text
    assert "Change commissioning" not in text
    assert "Log intelligence" not in text and item.reference not in text
    assert client.get("/intelligence/").status_code == 403
    assert client.get(f"/intelligence/{item.pk}/").status_code == 403
    assert client.get(f"/locations/{oak.pk}/intelligence/new/").status_code == 403
    assert client.get(f"/locations/{oak.pk}/commissioning/").status_code == 403


def test_commissioning_form(council_a, officer_a, signed_in):
    location = LocationFactory()
    client = signed_in(officer_a)
    url = f"/locations/{location.pk}/commissioning/"
    assert client.get(url).status_code == 200
    data = {
        "contract_type": "block",
        "in_area": "True",
        "annual_spend": "120000",
        "beds": "-1",
        "home_care_hours": "0",
        "people": "12",
        "specialist_service": "",
        "contact_officer": "",
    }
    bad = page(client.post(url, data))
    assert "There is a problem" in bad and 'href="#id_beds"' in bad
    assert not Commissioning.objects.exists()
    response = client.post(url, {**data, "beds": "12", "contact_officer": officer_a.pk})
    assert response.status_code == 302 and response["Location"] == f"/locations/{location.pk}/"
    saved = Commissioning.objects.get()
    assert (saved.council, saved.beds, saved.contact_officer) == (council_a, 12, officer_a)
    assert 'value="120000.00"' in client.get(url).content.decode()  # the form shows it again


LOG_FORM = {
    "source": "complaint",
    "severity": "medium",
    "themes": ["medication"],
    "narrative": "Missed medication",
    "allocated_to": "",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"received_on": "tomorrow"}, "received_on"),
        ({"received_on": "31/02/2025"}, "received_on"),
        ({"narrative": ""}, "narrative"),
        ({"severity": "apocalyptic"}, "severity"),
    ],
)
def test_log_intelligence_form_errors_link_to_the_field(
    changes, field, council_a, officer_a, signed_in
):
    location = LocationFactory()
    if changes.get("received_on") == "tomorrow":
        changes = {"received_on": (today() + dt.timedelta(days=1)).isoformat()}
    data = {**LOG_FORM, "received_on": today().isoformat(), **changes}
    response = signed_in(officer_a).post(f"/locations/{location.pk}/intelligence/new/", data)
    assert response.status_code == 200
    text = page(response)
    assert "<title>Error: Log intelligence" in text
    assert "There is a problem" in text and f'href="#id_{field}"' in text
    assert not Intelligence.objects.exists()


def test_a_theme_error_links_to_the_checkboxes(council_a, officer_a, signed_in):
    location = LocationFactory()
    data = {**LOG_FORM, "received_on": today().isoformat(), "themes": ["gardening"]}
    response = signed_in(officer_a).post(f"/locations/{location.pk}/intelligence/new/", data)
    text = page(response)
    assert "There is a problem" in text and "gardening is not one of" in text
    assert not Intelligence.objects.exists()
    assert 'href="#id_themes_0"' in text


def test_logging_intelligence_redirects_to_the_item(council_a, officer_a, signed_in):
    location = LocationFactory(name="Oak Lodge")
    client = signed_in(officer_a)
    response = client.post(
        f"/locations/{location.pk}/intelligence/new/",
        {**LOG_FORM, "received_on": today().isoformat(), "allocated_to": officer_a.pk},
    )
    item = Intelligence.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intelligence/{item.pk}/"
    assert (item.location, item.allocated_to, item.themes) == (location, officer_a, ["medication"])
    text = page(client.get(response["Location"]))
    assert item.reference in text and "Medication" in text and "Missed medication" in text
    whole = client.post(
        f"/locations/{location.pk}/intelligence/new/",
        {**LOG_FORM, "received_on": today().isoformat(), "whole_provider": "on"},
    )
    assert whole.status_code == 302
    assert Intelligence.objects.get(location__isnull=True).provider == location.provider


@pytest.fixture
def item(council_a):
    return log(council_a, location=LocationFactory(), received_on=today() - dt.timedelta(days=4))


def test_outcome_form_on_the_item_page(item, officer_a, signed_in):
    client = signed_in(officer_a)
    url = f"/intelligence/{item.pk}/"
    bad = client.post(
        url,
        {
            "action": "outcome",
            "outcome-outcome": "upheld",
            "outcome-reason": "r",
            "outcome-outcome_on": (today() - dt.timedelta(days=5)).isoformat(),
        },
    )
    text = page(bad)
    assert bad.status_code == 200 and "There is a problem" in text
    assert 'href="#id_outcome-outcome_on"' in text
    assert "The outcome cannot come before the item was received." in text
    missing = page(client.post(url, {"action": "outcome", "outcome-outcome": "upheld"}))
    assert 'href="#id_outcome-reason"' in missing
    done = client.post(
        url,
        {
            "action": "outcome",
            "outcome-outcome": "provider_not_liable",
            "outcome-reason": "CQ1 letter",
        },
    )
    assert done.status_code == 302 and done["Location"] == url
    item.refresh_from_db()
    assert item.outcome == Outcome.NOT_LIABLE and item.counts_toward_risk is False
    text = page(client.get(url))
    assert "no longer counts in the risk figures" in text
    assert "CQ1 letter" in text  # the outcome's reason, in the corrections table


def test_correction_form_on_the_item_page(item, officer_a, signed_in):
    client = signed_in(officer_a)
    url = f"/intelligence/{item.pk}/"
    data = {
        "action": "correct",
        "correct-source": item.source,
        "correct-received_on": item.received_on.isoformat(),
        "correct-severity": "high",
        "correct-themes": ["medication", "staffing"],
        "correct-narrative": item.narrative,
        "correct-allocated_to": "",
        "correct-reason": "Manager's review",
    }
    no_reason = page(client.post(url, {**data, "correct-reason": ""}))
    assert "There is a problem" in no_reason and "Say why the item is being corrected" in no_reason
    assert '<details class="govuk-details" open>' in no_reason
    future = page(
        client.post(
            url, {**data, "correct-received_on": (today() + dt.timedelta(days=2)).isoformat()}
        )
    )
    assert 'href="#id_correct-received_on"' in future
    assert "The date received must be today or in the past." in future
    assert not IntelligenceCorrection.objects.exists()
    done = client.post(url, data)
    assert done.status_code == 302
    rows = IntelligenceCorrection.objects.filter(item=item).order_by("field")
    assert [(r.field, r.new_value) for r in rows] == [
        ("severity", "high"),
        ("themes", "medication, staffing"),
    ]
    text = page(client.get(url))
    assert "Manager's review" in text and "medication, staffing" in text


def test_item_page_ids_are_unique(item, officer_a, signed_in):
    text = signed_in(officer_a).get(f"/intelligence/{item.pk}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert [i for i in set(ids) if ids.count(i) > 1] == []


def test_attachment_form_and_download(item, officer_a, signed_in):
    client = signed_in(officer_a)
    url = f"/intelligence/{item.pk}/"
    bad = page(
        client.post(
            url, {"action": "attach", "attach-file": SimpleUploadedFile("payload.exe", b"MZ")}
        )
    )
    assert "There is a problem" in bad and 'href="#id_attach-file"' in bad
    empty = page(
        client.post(url, {"action": "attach", "attach-file": SimpleUploadedFile("e.txt", b"")})
    )
    assert 'href="#id_attach-file"' in empty
    nothing = page(client.post(url, {"action": "attach"}))
    assert "Select a file to attach" in nothing
    assert not IntelligenceAttachment.objects.exists()
    done = client.post(
        url, {"action": "attach", "attach-file": SimpleUploadedFile("notes.txt", b"visit notes")}
    )
    assert done.status_code == 302
    attachment = IntelligenceAttachment.objects.get()
    assert "notes.txt" in page(client.get(url))
    download = client.get(f"/intelligence/{item.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"visit notes"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="notes.txt"' in download["Content-Disposition"]


def test_another_councils_item_and_attachment_are_404(item, council_b, officer_a, signed_in):
    theirs = log(council_b)
    attachment = attachment_add(item=theirs, actor=None, filename="theirs.txt", content=b"secret")
    mine = attachment_add(item=item, actor=None, filename="mine.txt", content=b"mine")
    client = signed_in(officer_a)
    assert client.get(f"/intelligence/{theirs.pk}/").status_code == 404
    assert client.get(f"/intelligence/{theirs.pk}/attachments/{attachment.pk}/").status_code == 404
    # the attachment's id under one of my items is no way in either
    assert client.get(f"/intelligence/{item.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/intelligence/{theirs.pk}/attachments/{mine.pk}/").status_code == 404
    assert client.get(f"/intelligence/{item.pk}/attachments/{mine.pk}/").status_code == 200
    assert client.get("/intelligence/999999/").status_code == 404


def test_auditor_reads_items_but_cannot_change_them(item, council_a, member, signed_in):
    client = signed_in(member(council_a, Role.AUDITOR))
    text = page(client.get(f"/intelligence/{item.pk}/"))
    assert item.reference in text
    assert "Record the outcome" not in text and "Correct this item" not in text
    response = client.post(
        f"/intelligence/{item.pk}/", {"action": "outcome", "outcome": "upheld", "reason": "r"}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.outcome == Outcome.OPEN
    assert "Log intelligence" not in page(client.get(f"/locations/{item.location_id}/"))


def test_intelligence_list_filters(council_a, council_b, officer_a, signed_in):
    oak = LocationFactory(name="Oak Lodge")
    mine = log(council_a, location=oak, allocated_to=officer_a, source=Source.WHISTLEBLOWING)
    other = log(council_a, location=LocationFactory(name="Elm House"))
    log(council_b, location=oak)
    client = signed_in(officer_a)
    everything = page(client.get("/intelligence/"))
    assert "2 items" in everything
    assert page(client.get("/intelligence/", {"q": "oak"})).count("Oak Lodge") == 1
    by_source = page(client.get("/intelligence/", {"source": "whistleblowing"}))
    assert mine.reference in by_source and other.reference not in by_source
    assert other.reference not in page(client.get("/intelligence/", {"mine": "on"}))
    by_ref = page(client.get("/intelligence/", {"q": other.reference}))
    assert "1 item" in by_ref and other.reference in by_ref


def _queries(client, url):
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/intelligence/", "/intelligence/?q=Location", "/intelligence/?outcome=upheld"]
)
def test_intelligence_list_runs_a_constant_number_of_queries(
    url, council_a, officer_a, member, signed_in
):
    client = signed_in(officer_a)
    people = [officer_a, member(council_a), member(council_a, Role.MANAGER)]

    def make(n):
        for i in range(n):
            made = log(
                council_a,
                location=LocationFactory() if i % 3 else None,
                provider=ProviderFactory() if not i % 3 else None,
                allocated_to=people[i % 3],
            )
            if i % 2:
                intelligence_set_outcome(item=made, actor=None, outcome="upheld", reason="r")

    make(3)
    few = _queries(client, url)
    make(24)
    assert _queries(client, url) == few


def test_location_page_runs_a_constant_number_of_queries(oak, council_a, officer_a, signed_in):
    client = signed_in(officer_a)
    url = f"/locations/{oak.pk}/"
    for _ in range(11):  # more than the ten shown: the page also counts them
        log(council_a, location=oak)
    few = _queries(client, url)
    for _ in range(20):
        log(council_a, location=oak, allocated_to=officer_a)
        log(council_a, provider=oak.provider)
    assert _queries(client, url) == few


def test_a_correction_keeps_the_allocation_of_someone_who_has_left(
    council_a, officer_a, member, signed_in
):
    """Correcting the severity of an item allocated to a former officer leaves the
    allocation alone."""
    from councils.models import Membership, Role

    leaver = member(council_a, Role.OFFICER)
    item = log(council_a, allocated_to=leaver)
    Membership.objects.filter(user=leaver).update(is_active=False)
    client = signed_in(officer_a)
    response = client.post(
        f"/intelligence/{item.pk}/",
        {
            "action": "correct",
            "correct-source": item.source,
            "correct-received_on": item.received_on.isoformat(),
            "correct-severity": "high",
            "correct-themes": item.themes,
            "correct-narrative": item.narrative,
            "correct-allocated_to": leaver.pk,
            "correct-reason": "Reassessed",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.severity, item.allocated_to) == ("high", leaver)
    assert [c.field for c in item.corrections.all()] == ["severity"]

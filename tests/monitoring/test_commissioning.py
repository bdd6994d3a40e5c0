"""Commissioning: high impact (001 3.1), market risk (003 1.8), what the pack decides, saving."""

from decimal import Decimal

import pytest

from core.models import AuditEntry
from councils.models import Council, Membership
from monitoring.models import Commissioning
from monitoring.selectors import market_position
from tests.factories import LocationFactory, ProviderFactory
from tests.monitoring.helpers import commission, errors_of, pack_with

pytestmark = pytest.mark.django_db


def position(council, record):
    council = Council.objects.select_related("active_policy").get(pk=council.pk)
    return market_position(council=council, commissioning=record)


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

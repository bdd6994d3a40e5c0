"""Reads for commissioning: the council's sums and each provider's, and what they make of a
location's provider: high impact (001 3.1) and market risk (003 1.8), each with its reasons."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from councils.models import Council
from monitoring.models import Commissioning, ContractType
from monitoring.pack import commissioning_rules
from providers.models import Location

MEASURES = {
    "beds": ("beds", "beds"),
    "home_care_hours": ("home_care_hours", "home care hours a week"),
    "people": ("people", "people funded"),
    "spend": ("annual_spend", "annual spend"),
}


@dataclass
class MarketPosition:
    """High impact (001 3.1) and market risk (003 1.8), each with the reasons that make it."""

    high_impact: bool = False
    high_impact_reasons: list[str] = field(default_factory=list)
    market_risk: bool = False
    market_risk_reasons: list[str] = field(default_factory=list)


def service_key(name: str) -> str:
    """Specialist services are compared by name, whatever the case and spacing."""
    return " ".join((name or "").split()).lower()


def _add_service(into: dict, name: str, row: dict) -> None:
    figures = into.setdefault(service_key(name), {key: Decimal(0) for key in MEASURES})
    for key in MEASURES:
        figures[key] += Decimal(row[key] or 0)


def council_totals(*, council: Council) -> dict:
    """The council's sums, and under "specialist" each specialist service's sums (001 3.1:
    "10% or more of a specialist service"). Two queries."""
    qs = Commissioning.objects.filter(council=council)
    sums = qs.aggregate(**{key: Sum(column) for key, (column, _) in MEASURES.items()})
    out: dict = {key: Decimal(value or 0) for key, value in sums.items()}
    rows = (
        qs.exclude(specialist_service="")
        .values("specialist_service")
        .annotate(**{key: Sum(column) for key, (column, _) in MEASURES.items()})
    )
    out["specialist"] = {}
    for row in rows:
        _add_service(out["specialist"], row["specialist_service"], row)
    return out


def provider_totals(*, council: Council, provider_ids=None) -> dict[int, dict]:
    """Each provider's sums over the council's commissioning of its locations, and how many
    locations: 001 3.1 judges providers, not single services. One query."""
    qs = Commissioning.objects.filter(council=council)
    if provider_ids is not None:
        qs = qs.filter(location__provider_id__in=provider_ids)
    rows = qs.values("location__provider_id").annotate(
        locations=Count("id"), **{key: Sum(column) for key, (column, _) in MEASURES.items()}
    )
    out = {
        row["location__provider_id"]: {
            "locations": row["locations"],
            **{key: Decimal(row[key] or 0) for key in MEASURES},
            "specialist": {},
        }
        for row in rows
    }
    services = (
        qs.exclude(specialist_service="")
        .values("location__provider_id", "specialist_service")
        .annotate(**{key: Sum(column) for key, (column, _) in MEASURES.items()})
    )
    for row in services:
        _add_service(
            out[row["location__provider_id"]]["specialist"], row["specialist_service"], row
        )
    return out


def _amount(key: str, value: Decimal) -> str:
    if key == "spend":
        return f"£{value:,.0f}"
    return f"{value.normalize():,f}" if value % 1 else f"{int(value):,}"  # 12.5, or 1,200


def market_position(
    *,
    council: Council,
    commissioning: Commissioning,
    totals: dict | None = None,
    providers: dict | None = None,
) -> MarketPosition:
    """`totals` (council_totals) and `providers` (provider_totals) may be given by a list
    that computes them once for every row."""
    rules = commissioning_rules(council)
    totals = totals if totals is not None else council_totals(council=council)
    provider_id = commissioning.location.provider_id
    if providers is None or provider_id not in providers:
        providers = provider_totals(council=council, provider_ids=[provider_id])
    mine = providers.get(provider_id) or {"locations": 1}
    together = (
        f", the provider's {mine['locations']} locations together" if mine["locations"] > 1 else ""
    )
    out = MarketPosition()
    hi = rules.high_impact
    share = hi.share_percent
    for key in hi.measures:
        column, label = MEASURES[key]
        value = mine.get(key, Decimal(getattr(commissioning, column) or 0))
        total = totals.get(key) or Decimal(0)
        if value and total and value * 100 >= share * total:
            percent = (value * 100 / total).quantize(Decimal("1"))
            out.high_impact_reasons.append(
                f"{percent}% of the council's {label} ({_amount(key, value)} of "
                f"{_amount(key, total)}{together}); the threshold is {share.normalize():f}% "
                f"({hi.seed})"
            )
    if hi.specialist_service and commissioning.specialist_service:
        out.high_impact_reasons.extend(
            _specialist_share(commissioning.specialist_service, hi, share, totals, mine)
        )
    out.high_impact = bool(out.high_impact_reasons)
    mr = rules.market_risk
    if mr.block_contract and commissioning.contract_type == ContractType.BLOCK:
        out.market_risk_reasons.append(f"Block contract ({mr.seed})")
    if mr.specialist_service and commissioning.specialist_service:
        out.market_risk_reasons.append(
            f"Specialist service: {commissioning.specialist_service} ({mr.seed})"
        )
    if commissioning.people >= mr.people_at_least:
        out.market_risk_reasons.append(
            f"{commissioning.people} people in one setting ({mr.people_at_least} or more; "
            f"{mr.seed})"
        )
    out.market_risk = bool(out.market_risk_reasons)
    return out


def _specialist_share(name: str, hi, share: Decimal, totals: dict, mine: dict) -> list:
    """001 3.1: "providing 10% or more of a specialist service": the provider's share of what
    the council commissions of that service, by each measure the pack names."""
    key = service_key(name)
    whole = totals.get("specialist", {}).get(key)
    part = mine.get("specialist", {}).get(key)
    if not whole or not part or not any(whole[m] for m in hi.measures):
        return [f"Specialist service: {name}, with no figures to judge its share ({hi.seed})"]
    shares = [(part[m] * 100 / whole[m], m) for m in hi.measures if part[m] and whole[m]]
    if not shares or max(shares)[0] < share:
        return []
    percent, measure = max(shares)  # the largest share says it best: one reason
    return [
        f"{percent.quantize(Decimal('1'))}% of the council's {MEASURES[measure][1]} in the "
        f"specialist service {name} ({_amount(measure, part[measure])} of "
        f"{_amount(measure, whole[measure])}); the threshold is {share.normalize():f}% "
        f"({hi.seed})"
    ]


def commissioning_of(*, council: Council, location_id: int) -> Commissioning | None:
    return (
        Commissioning.objects.filter(council=council, location_id=location_id)
        .select_related("contact_officer")
        .first()
    )


def commissioned_locations(*, council: Council, provider_id: int | None = None) -> list[Location]:
    """The locations the council commissions (of one provider, if given), in id order."""
    ids = Commissioning.objects.filter(council=council)
    if provider_id is not None:
        ids = ids.filter(location__provider_id=provider_id)
    return list(
        Location.objects.filter(pk__in=ids.values("location_id"))
        .select_related("provider")
        .order_by("id")
    )


def commissioning_list(*, council: Council, location_id: int | None = None):
    """The council's commissioning, by location (all of it, or one location's). The council
    is the caller's: not joined on each row (its policy would be decoded once a row)."""
    qs = (
        Commissioning.objects.filter(council=council)
        .select_related("location")
        .order_by("location_id")
    )
    return qs.filter(location_id=location_id) if location_id is not None else qs

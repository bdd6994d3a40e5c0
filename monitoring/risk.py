"""The risk matrix's arithmetic (004 11.1; 003 1.2, 1.10): a location's score from the
weighted factors in the council's pack, and its RAG. Pure: it reads nothing and writes nothing
(`monitoring.selectors.risk.risk_inputs` reads, `monitoring.services.risk.risk_recompute`
writes), so each factor can be tested on its own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from monitoring.models import Rag, Source
from monitoring.pack import RiskRules
from monitoring.selectors.commissioning import market_position
from monitoring.selectors.risk import RiskInputs
from providers.models import KEY_QUESTIONS


def rag_for(score: Decimal, rules: RiskRules) -> str:
    if score >= rules.red_at:
        return Rag.RED
    if score >= rules.amber_at:
        return Rag.AMBER
    return Rag.GREEN


def _points(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Score:
    score: Decimal
    computed_rag: str
    factors: list[dict]


def score_location(
    loc, inputs: RiskInputs, *, council, rules: RiskRules, severities, limit
) -> Score:
    """One location's score and RAG, with each factor's points (so the page can say why)."""
    weights = rules.weights
    factors = _factors(
        loc,
        weights,
        severities,
        inputs.latest_ratings.get(loc.pk),
        inputs.intelligence.get(loc.pk, []) + inputs.provider_intelligence.get(loc.provider_id, []),
        inputs.enquiries.get(loc.pk, 0) + inputs.provider_enquiries.get(loc.provider_id, 0),
        inputs.commissioning.get(loc.pk),
        council,
        inputs.totals,
        inputs.providers,
    )
    if loc.pk in inputs.overdue_reviews:
        factors.append(
            {
                "factor": "Review overdue",
                "detail": f"next review was due {inputs.overdue_reviews[loc.pk]:%d %b %Y}",
                "points": str(_points(weights["overdue_review"])),
            }
        )
    if loc.pk in inputs.failing_plans:
        factors.append(
            {
                "factor": "Failing improvement plan",
                "detail": f"most actions not met at {inputs.failing_plans[loc.pk]} reviews "
                f"(more than {limit})",
                "points": str(_points(weights["failing_improvement_plan"])),
            }
        )
    score = sum((Decimal(f["points"]) for f in factors), Decimal(0))
    return Score(score=score, computed_rag=rag_for(score, rules), factors=factors)


def _factors(
    loc,
    weights,
    severity_weight,
    latest,
    intelligence,
    open_enquiries,
    commissioning,
    council,
    totals,
    providers,
) -> list[dict]:
    """The factors that add points, each with its detail."""
    out = []

    def add(factor: str, detail: str, points) -> None:
        points = _points(points)
        if points:
            out.append({"factor": factor, "detail": detail, "points": str(points)})

    overall = loc.overall_rating if loc.overall_rating in weights["cqc_overall"] else "none"
    add(
        "CQC overall rating", loc.overall_rating or "Not yet rated", weights["cqc_overall"][overall]
    )
    for field, label in KEY_QUESTIONS:
        value = (latest or {}).get(field, "")
        if value in weights["key_question"]:
            add(f"CQC {label}", value, weights["key_question"][value])
    grouped: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for row in intelligence:
        source_weight = Decimal(str(weights["intelligence_source"].get(row["source"], 0)))
        grouped[row["source"]][0] += row["n"]
        grouped[row["source"]][1] += (
            source_weight * severity_weight.get(row["severity"], Decimal(1)) * row["n"]
        )
    for source, (n, points) in sorted(grouped.items()):
        add(
            f"Intelligence: {Source(source).label}",
            f"{n} item{'s' if n != 1 else ''} in the window",
            points,
        )
    if open_enquiries:
        add(
            "Open safeguarding enquiries",
            str(open_enquiries),
            Decimal(str(weights["open_safeguarding_enquiry"])) * open_enquiries,
        )
    if commissioning is not None and commissioning.annual_spend:
        spend = Decimal(commissioning.annual_spend)
        add(
            "Annual spend",
            f"£{spend:,.0f} a year",
            min(
                spend / 100000 * Decimal(str(weights["annual_spend_per_100k"])),
                Decimal(str(weights["annual_spend_max"])),
            ),
        )
    if commissioning is not None:
        position = market_position(
            council=council, commissioning=commissioning, totals=totals, providers=providers
        )
        if position.high_impact:
            add("High impact", position.high_impact_reasons[0], weights["high_impact"])
        if position.market_risk:
            add("Market risk", position.market_risk_reasons[0], weights["market_risk"])
    return out

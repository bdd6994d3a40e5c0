"""The monitoring app's sections of a council's policy pack, read into typed sections (once per
policy version): commissioning (high impact 001 3.1, market risk 003 1.8), intelligence
(themes, severities, attachments), the risk matrix (004 11.1), reviews and visits (004 8.1,
9.1; 003 1.13) and improvement plans (004 16.2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from councils.policy import PackPart, policy_of

SCHEMA = Path(__file__).with_name("pack_schema.json")


@dataclass(frozen=True)
class HighImpact:
    share_percent: Decimal
    measures: tuple[str, ...]
    specialist_service: bool
    seed: str


@dataclass(frozen=True)
class MarketRisk:
    block_contract: bool
    specialist_service: bool
    people_at_least: int
    seed: str


@dataclass(frozen=True)
class CommissioningRules:
    high_impact: HighImpact
    market_risk: MarketRisk

    @classmethod
    def read(cls, content: dict) -> CommissioningRules:
        hi, mr = content["commissioning"]["high_impact"], content["commissioning"]["market_risk"]
        return cls(
            high_impact=HighImpact(
                share_percent=Decimal(str(hi["share_percent"])),
                measures=tuple(hi["measures"]),
                specialist_service=bool(hi["specialist_service"]),
                seed=hi["seed"],
            ),
            market_risk=MarketRisk(
                block_contract=bool(mr["block_contract"]),
                specialist_service=bool(mr["specialist_service"]),
                people_at_least=int(mr["people_at_least"]),
                seed=mr["seed"],
            ),
        )


@dataclass(frozen=True)
class Severity:
    key: str
    label: str
    weight: Decimal


@dataclass(frozen=True)
class IntelligenceRules:
    themes: dict[str, str]
    severities: dict[str, Severity]
    attachment_types: frozenset[str]
    attachment_max_bytes: int
    seed: str

    @classmethod
    def read(cls, content: dict) -> IntelligenceRules:
        section = content["intelligence"]
        attachments = section.get("attachments", {})
        return cls(
            themes={t["key"]: t["label"] for t in section["themes"]},
            severities={
                s["key"]: Severity(s["key"], s["label"], Decimal(str(s["weight"])))
                for s in section["severities"]
            },
            attachment_types=frozenset(
                attachments.get("types", ["pdf", "docx", "txt", "png", "jpg"])
            ),
            attachment_max_bytes=int(float(attachments.get("max_megabytes", 10)) * 1024 * 1024),
            seed=section.get("seed", ""),
        )

    def theme_label(self, key: str) -> str:
        return self.themes.get(key, key)

    def severity_label(self, key: str) -> str:
        found = self.severities.get(key)
        return found.label if found else key


@dataclass(frozen=True)
class RiskRules:
    window_days: int
    amber_at: Decimal
    red_at: Decimal
    weights: dict
    seed: str

    @classmethod
    def read(cls, content: dict) -> RiskRules:
        section = content["risk"]
        return cls(
            window_days=int(section["window_days"]),
            amber_at=Decimal(str(section["amber_at"])),
            red_at=Decimal(str(section["red_at"])),
            weights=section["weights"],
            seed=section.get("seed", ""),
        )


@dataclass(frozen=True)
class ReviewType:
    key: str
    label: str
    self_certification: bool = False
    may_be_unannounced: bool = False
    rated: bool = False
    seed: str = ""


@dataclass(frozen=True)
class Within:
    amount: int
    unit: str
    seed: str = ""


@dataclass(frozen=True)
class Frequency:
    good: int
    concerns: int
    market_risk: int
    seed: str


@dataclass(frozen=True)
class ReviewRules:
    types: dict[str, ReviewType]
    frequency: Frequency
    report_within: Within | None
    self_certification_within: Within | None
    seed: str

    @classmethod
    def read(cls, content: dict) -> ReviewRules:
        section = content["reviews"]

        def within(key):
            found = section.get(key)
            return Within(found["amount"], found["unit"], found.get("seed", "")) if found else None

        freq = section["frequency_months"]
        return cls(
            types={t["key"]: ReviewType(**t) for t in section["types"]},
            frequency=Frequency(freq["good"], freq["concerns"], freq["market_risk"], freq["seed"]),
            report_within=within("report_within"),
            self_certification_within=within("self_certification_within"),
            seed=section.get("seed", ""),
        )

    def label(self, kind: str) -> str:
        found = self.types.get(kind)
        return found.label if found else kind.replace("_", " ").capitalize()

    @property
    def labels(self) -> dict[str, str]:
        return {k: t.label for k, t in self.types.items()}


@dataclass(frozen=True)
class PlanRules:
    """004 16.2: a provider that "has failed to meet the majority of the requirements of an
    Improvement plan on more than 3 reviews"."""

    failed_reviews_more_than: int
    seed: str

    @classmethod
    def read(cls, content: dict) -> PlanRules:
        section = content["improvement_plans"]
        return cls(int(section["failed_reviews_more_than"]), section.get("seed", ""))

    def is_failing(self, failed_reviews: int) -> bool:
        return failed_reviews > self.failed_reviews_more_than


def commissioning_rules(council) -> CommissioningRules:
    return policy_of(council).section("commissioning")


def intelligence_rules(council) -> IntelligenceRules:
    return policy_of(council).section("intelligence")


def risk_rules(council) -> RiskRules:
    return policy_of(council).section("risk")


def review_rules(council) -> ReviewRules:
    return policy_of(council).section("reviews")


def plan_rules(council) -> PlanRules:
    return policy_of(council).section("improvement_plans")


def check_monitoring(content: dict, problem) -> None:
    risk = content.get("risk")
    if risk and risk["red_at"] <= risk["amber_at"]:
        problem("risk.red_at", "must be more than amber_at")


PART = PackPart(
    name="monitoring",
    schema=SCHEMA,
    readers={
        "commissioning": CommissioningRules.read,
        "intelligence": IntelligenceRules.read,
        "risk": RiskRules.read,
        "reviews": ReviewRules.read,
        "improvement_plans": PlanRules.read,
    },
    check=check_monitoring,
)

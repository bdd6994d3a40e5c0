"""The `reporting` section of a council's pack (issue 13): whether its trend reports may name
providers (003 1.15: "This data does not identify specific providers or services")."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from councils.policy import PackPart, policy_of

SCHEMA = Path(__file__).with_name("pack_schema.json")


@dataclass(frozen=True)
class Reporting:
    name_no_provider: bool = False
    seed: str = ""

    @classmethod
    def read(cls, content: dict) -> Reporting:
        section = content.get("reporting") or {}
        return cls(
            name_no_provider=bool(section.get("name_no_provider_in_trends", False)),
            seed=section.get("seed", ""),
        )

    @classmethod
    def of(cls, council) -> Reporting:
        return policy_of(council).section("reporting")


PART = PackPart(name="reporting", schema=SCHEMA, readers={"reporting": Reporting.read})

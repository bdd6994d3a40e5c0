"""A figure of a report: its numbers as a table (the truth: shown beside the chart, exported
to CSV and Excel, and in the API) and its chart, drawn from the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString


@dataclass
class Figure:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: SafeString | str = ""
    seed: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "seed": self.seed,
            "columns": self.columns,
            "rows": [[_plain(v) for v in row] for row in self.rows],
        }


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value

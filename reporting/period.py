"""The period a report covers, from the query (`?from=YYYY-MM&to=YYYY-MM`), within limits:
whole months, not before 1999, not after this month, at most ten years."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from core.errors import ValidationFailed

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
EARLIEST = dt.date(1999, 1, 1)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y} to {self.last:%B %Y}"

    @property
    def query(self) -> str:
        return f"from={self.first:%Y-%m}&to={self.last:%Y-%m}"


def _month_start(text: str, field: str) -> dt.date:
    found = MONTH.match(text or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValidationFailed(
            "", errors={field: ["Give a month as YYYY-MM, for example 2026-04."]}
        )
    return dt.date(int(found.group(1)), int(found.group(2)), 1)


def _month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_of(params, *, default_months: int) -> Period:
    today = timezone.localdate()
    this_month = today.replace(day=1)
    to = _month_start(params["to"], "to") if params.get("to") else this_month
    if params.get("from"):
        first = _month_start(params["from"], "from")
    else:
        y, m = to.year, to.month - (default_months - 1)
        while m < 1:
            y, m = y - 1, m + 12
        first = dt.date(y, m, 1)
    errors = {}
    if first < EARLIEST:
        errors["from"] = ["The period starts in 1999 or later."]
    if to > this_month:
        errors["to"] = ["The period ends this month or earlier."]
    if first > to:
        errors["from"] = ["The period starts before it ends."]
    elif (to.year - first.year) * 12 + to.month - first.month >= 120:
        errors["from"] = ["A report covers ten years at most."]
    if errors:
        raise ValidationFailed("The period could not be read.", errors=errors)
    return Period(first, min(_month_end(to), today))

"""Plausible values (issue 11: dates such as 0001-01-01 and 9999-12-31 were accepted, and a long
file name lost its extension): one place for the bounds every service checks against."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.workdays import add_months

# The longest free text a person may write in one field (a narrative, reasons, findings): in
# the model, the form, the serializer and the schema, and the JSON parser refuses longer.
TEXT_MAX = 20_000

# Nothing this service records happened before the Care Quality Commission began (2009);
# older council records brought in go back a decade before that at most.
EARLIEST_DATE = dt.date(1999, 1, 1)


def date_problem(value, *, latest: dt.date, earliest: dt.date = EARLIEST_DATE) -> str:
    """What is wrong with a date that must fall between `earliest` and `latest`, or ""."""
    if not isinstance(value, dt.date):
        return "Enter a date."
    if value < earliest:
        return f"The date cannot be before {earliest:%-d %B %Y}."
    if value > latest:
        return f"The date cannot be after {latest:%-d %B %Y}."
    return ""


def years_ahead(today: dt.date, years: int) -> dt.date:
    return add_months(today, 12 * years)


def file_name(name: str, limit: int = 200) -> str:
    """A file's name shortened to `limit` characters, keeping its extension."""
    base = Path(name).name
    if len(base) <= limit:
        return base
    suffix = Path(base).suffix[:20]
    return base[: limit - len(suffix)] + suffix


# However far ahead a date may be planned (a review date, a hold, a contract's end).
LATEST_YEARS = 10


def plausible_date(value) -> None:
    """A validator for every date a person or system gives (forms and the API): between
    EARLIEST_DATE and LATEST_YEARS ahead (issue 11: 0001-01-01 and 9999-12-31 were accepted).
    Services keep their own narrower rules (not in the future, after the decision...)."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    problem = date_problem(value, latest=years_ahead(timezone.localdate(), LATEST_YEARS))
    if problem:
        raise ValidationError(problem, code="implausible_date")

"""Normalised records every reader produces, and the value parsers they share.

A reader never writes: it turns a file into records and per-row problems, or refuses the whole
file (`FileRefused`) before anything is written."""

import datetime as dt
import re
from dataclasses import dataclass, field

from providers.models import RatingValue


class FileRefused(Exception):
    """The file cannot be read at all; nothing is written."""


class RowProblem(Exception):
    """One row or record cannot be imported; the others still are."""


@dataclass
class Problem:
    row: int
    reason: str
    identifier: str = ""


@dataclass
class RatingRecord:
    report_date: dt.date
    report_link_id: str = ""
    overall: str = ""
    safe: str = ""
    effective: str = ""
    caring: str = ""
    responsive: str = ""
    well_led: str = ""
    regulator: str = "CQC"

    @property
    def key(self) -> tuple:
        return (self.regulator, self.report_date, self.report_link_id)


@dataclass
class LocationRecord:
    row: int
    cqc_location_id: str | None
    cqc_provider_id: str | None = None
    provider_name: str | None = None
    # Only the register fields the source gives: a partial source never blanks a field.
    fields: dict = field(default_factory=dict)
    service_types: list[tuple[str, str]] | None = None
    ratings: list[RatingRecord] = field(default_factory=list)
    regulator: str = "CQC"
    # A council's own facts about the location (its name for it, contacts, contract
    # reference): kept in its LocalRecord, never on the register.
    local: dict = field(default_factory=dict)

    @property
    def identifier(self) -> str:
        return self.cqc_location_id or self.fields.get("name", "")


@dataclass
class ProviderRecord:
    row: int
    cqc_provider_id: str
    fields: dict = field(default_factory=dict)


LOCATION_ID = re.compile(r"^1-\d{3,}$")
PROVIDER_ID = re.compile(r"^1-\d{3,}$")
_RATINGS = {v.lower(): v for v in RatingValue.values}
_KEY_QUESTION_FIELDS = {
    "safe": "safe",
    "effective": "effective",
    "caring": "caring",
    "responsive": "responsive",
    "well-led": "well_led",
    "well led": "well_led",
    "wellled": "well_led",
}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%b/%Y", "%d-%b-%Y", "%d %B %Y", "%d %b %Y")


def clean(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def parse_date(value, what: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean(value)
    if not text:
        return None
    text = text.split(" - ")[0].split("T")[0].strip()  # "25/Feb/2026 - 10:31", ISO datetimes
    try:
        return dt.date.fromisoformat(text)  # the CQC API's form, and the fast path
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowProblem(f"{what} {value!r} is not a date")


def parse_int(value, what: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowProblem(f"{what} {value!r} is not a whole number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise RowProblem(f"{what} {value!r} is not a whole number") from exc
    if number < 0:
        raise RowProblem(f"{what} {value!r} is negative")
    return number


def parse_float(value, what: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise RowProblem(f"{what} {value!r} is not a number") from exc


def parse_yes_no(value, what: str) -> bool | None:
    text = clean(value).lower()
    if not text:
        return None
    if text in ("y", "yes", "true", "1", "dormant"):
        return True
    if text in ("n", "no", "false", "0", "not dormant"):
        return False
    raise RowProblem(f"{what} {value!r} is not Y or N")


def parse_rating(value, what: str = "rating") -> str:
    text = clean(value)
    if not text:
        return ""
    canonical = _RATINGS.get(text.lower())
    if canonical is None:
        raise RowProblem(f"{what} {value!r} is not a rating")
    return canonical


def key_question_field(name: str) -> str | None:
    return _KEY_QUESTION_FIELDS.get(clean(name).lower())


def check_location_id(value) -> str:
    text = clean(value)
    if not LOCATION_ID.match(text):
        raise RowProblem(f"location ID {value!r} is not a CQC location ID (like 1-113737059)")
    return text


def check_provider_id(value) -> str | None:
    text = clean(value)
    if not text:
        return None
    if not PROVIDER_ID.match(text):
        raise RowProblem(f"provider ID {value!r} is not a CQC provider ID (like 1-101641361)")
    return text


def postcode_key(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode or "").upper()


def name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (name or "").lower()).strip()


def format_postcode(postcode: str) -> str:
    key = postcode_key(postcode)
    return f"{key[:-3]} {key[-3:]}" if len(key) > 4 else key

"""Working days: Monday to Friday less the bank holidays of England (and any closures a
council's policy pack adds). The calendar section of each pack says which."""

import datetime as dt
from functools import lru_cache

import holidays

WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@lru_cache(maxsize=32)
def _bank_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


class WorkingCalendar:
    def __init__(
        self,
        *,
        country: str = "GB",
        subdivision: str | None = "ENG",
        working_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri"),
        closures: tuple[dt.date, ...] = (),
    ):
        self.country = country
        self.subdivision = subdivision
        self.weekdays = frozenset(WEEKDAY_NAMES.index(d) for d in working_days)
        self.closures = frozenset(closures)

    @classmethod
    def from_policy(cls, section: dict | None) -> "WorkingCalendar":
        section = section or {}
        return cls(
            country=section.get("country", "GB"),
            subdivision=section.get("subdivision", "ENG"),
            working_days=tuple(section.get("working_days", WEEKDAY_NAMES[:5])),
            closures=tuple(dt.date.fromisoformat(str(d)) for d in section.get("closures", [])),
        )

    def is_working_day(self, day: dt.date) -> bool:
        return (
            day.weekday() in self.weekdays
            and day not in self.closures
            and day not in _bank_holidays(self.country, self.subdivision, day.year)
        )

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (start itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        remaining = days
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def subtract_working_days(self, end: dt.date, days: int) -> dt.date:
        """The working day `days` working days before `end` (a warning "2 working days
        before" a limit on a Monday falls on the Thursday)."""
        day = end
        remaining = days
        while remaining:
            day -= dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    for day in range(start.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, min(start.day, 28))


def due_date(start: dt.date, *, amount: int, unit: str, calendar: WorkingCalendar) -> dt.date:
    """When a time limit of `amount` `unit` from `start` falls due (units as in policy packs)."""
    if unit == "working_days":
        return calendar.add_working_days(start, amount)
    if unit == "days":
        return start + dt.timedelta(days=amount)
    if unit == "weeks":
        return start + dt.timedelta(weeks=amount)
    if unit == "months":
        return add_months(start, amount)
    raise ValueError(f"unknown unit {unit!r}")


def before_date(end: dt.date, *, amount: int, unit: str, calendar: WorkingCalendar) -> dt.date:
    """The day `amount` `unit` before `end` (when to warn of a limit on `end`)."""
    if unit == "working_days":
        return calendar.subtract_working_days(end, amount)
    if unit == "days":
        return end - dt.timedelta(days=amount)
    if unit == "weeks":
        return end - dt.timedelta(weeks=amount)
    if unit == "months":
        return add_months(end, -amount)
    raise ValueError(f"unknown unit {unit!r}")


def in_words(value) -> str:
    """A date as letters and pages write it ("4 January 2027"); a datetime by its local day;
    "" for none."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return f"{value:%-d %B %Y}"

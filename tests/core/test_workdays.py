"""Working days: Monday to Friday less the bank holidays of England (domain.md)."""

import datetime as dt

from core.workdays import WorkingCalendar, add_months, before_date, due_date

ENGLAND = WorkingCalendar()


def test_five_working_days_skip_the_weekend():
    # 004 19.1: a decision on Thursday 5 March 2026 is told by Thursday 12 March.
    assert ENGLAND.add_working_days(dt.date(2026, 3, 5), 5) == dt.date(2026, 3, 12)


def test_bank_holidays_of_england_are_not_working_days():
    # Good Friday 3 April and Easter Monday 6 April 2026 are bank holidays in England.
    assert not ENGLAND.is_working_day(dt.date(2026, 4, 3))
    assert not ENGLAND.is_working_day(dt.date(2026, 4, 6))
    assert ENGLAND.add_working_days(dt.date(2026, 4, 2), 1) == dt.date(2026, 4, 7)


def test_christmas_and_boxing_day():
    # 24 Dec 2026 is a Thursday; 25 and 28 Dec (Boxing Day substitute) are bank holidays.
    assert ENGLAND.add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 29)


def test_scotland_differs_from_england():
    scotland = WorkingCalendar(subdivision="SCT")
    # 2 January is a bank holiday in Scotland only.
    assert ENGLAND.is_working_day(dt.date(2026, 1, 2))
    assert not scotland.is_working_day(dt.date(2026, 1, 2))


def test_council_closure_days_from_the_pack():
    calendar = WorkingCalendar.from_policy(
        {
            "country": "GB",
            "subdivision": "ENG",
            "working_days": ["mon", "tue", "wed", "thu", "fri"],
            "closures": ["2026-12-29", "2026-12-30", "2026-12-31"],
        }
    )
    assert calendar.add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2027, 1, 4)


def test_fourteen_working_days_self_certification():
    # 004 8.1: self-certification returned within 14 working days.
    assert ENGLAND.add_working_days(dt.date(2026, 5, 1), 14) == dt.date(2026, 5, 22)
    assert ENGLAND.working_days_between(dt.date(2026, 5, 1), dt.date(2026, 5, 22)) == 14


def test_months_clamp_to_the_end_of_the_month():
    # 003: six months under a Final Warning from 31 August ends on the last day of February.
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)


def test_due_date_by_unit():
    start = dt.date(2026, 3, 2)
    assert due_date(start, amount=12, unit="weeks", calendar=ENGLAND) == dt.date(2026, 5, 25)
    assert due_date(start, amount=21, unit="days", calendar=ENGLAND) == dt.date(2026, 3, 23)
    assert due_date(start, amount=5, unit="working_days", calendar=ENGLAND) == dt.date(2026, 3, 9)
    assert due_date(start, amount=6, unit="months", calendar=ENGLAND) == dt.date(2026, 9, 2)


def test_a_one_off_bank_holiday_is_not_a_working_day():
    # The coronation of King Charles III: Monday 8 May 2023, a one-off bank holiday in
    # England (beside the early May bank holiday on the 1st).
    assert not ENGLAND.is_working_day(dt.date(2023, 5, 8))
    assert ENGLAND.add_working_days(dt.date(2023, 5, 5), 1) == dt.date(2023, 5, 9)
    # The State Funeral of Queen Elizabeth II: Monday 19 September 2022.
    assert ENGLAND.add_working_days(dt.date(2022, 9, 16), 1) == dt.date(2022, 9, 20)


def test_a_warning_before_a_limit_counts_working_days_back_over_holidays():
    # A limit on Tuesday 29 Dec 2026, warned 2 working days before: 28 Dec (Boxing Day
    # substitute) and 25 Dec are not working days, so Wednesday 23 and Thursday 24 count.
    assert before_date(dt.date(2026, 12, 29), amount=2, unit="working_days", calendar=ENGLAND) == (
        dt.date(2026, 12, 23)
    )
    # Easter 2026: a limit on Tuesday 7 April, one working day before is Thursday 2 April.
    assert ENGLAND.subtract_working_days(dt.date(2026, 4, 7), 1) == dt.date(2026, 4, 2)
    assert before_date(dt.date(2026, 8, 31), amount=6, unit="months", calendar=ENGLAND) == (
        dt.date(2026, 2, 28)
    )

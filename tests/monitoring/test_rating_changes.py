"""Regulator rating changes arrive in the intelligence log by themselves, once per council."""

import datetime as dt
import json

import pytest

from monitoring.models import Intelligence, Source
from monitoring.services import rating_changes_to_intelligence
from providers.models import ImportFormat, RatingChange
from providers.services import import_from_path
from tests.factories import LocationFactory, RatingFactory
from tests.monitoring.helpers import commission, today

pytestmark = pytest.mark.django_db


# === Rating changes into the log =========================================================


def rating_change(location, previous="Good", current="Inadequate", report=dt.date(2025, 9, 1)):
    old = RatingFactory(location=location, overall=previous, report_date=dt.date(2023, 3, 14))
    new = RatingFactory(
        location=location,
        overall=current,
        report_date=report,
        report_link_id="rl-new",
        safe=current,
    )
    return RatingChange.objects.create(
        location=location,
        previous=old,
        current=new,
        previous_overall=previous,
        current_overall=current,
    )


def test_a_rating_change_reaches_the_council_whose_area_it_is_in(council_a, council_b):
    """The location's local authority is in Bromley's `council.local_authorities`: Bromley
    gets a CQC item; West Berkshire, neither commissioning it nor covering the area, none."""
    location = LocationFactory(name="Oak Lodge", local_authority="Bromley")
    change = rating_change(location)
    assert rating_changes_to_intelligence() == 1
    item = Intelligence.objects.get()
    assert item.council == council_a
    assert (item.source, item.severity, item.location, item.provider) == (
        Source.CQC,
        "high",
        location,
        location.provider,
    )
    assert item.rating_change == change
    assert item.received_on == dt.date(2025, 9, 1)
    assert item.reference == "INT-2025-00001"
    assert item.narrative.startswith(
        "CQC rating changed from Good to Inadequate (report published 01 September 2025, rl-new)."
    )
    assert "Safe Inadequate" in item.narrative
    assert item.created_by_label == "System"


def test_a_rating_change_reaches_a_council_that_commissions_the_location(council_a, council_b):
    location = LocationFactory(local_authority="Bromley")
    commission(council_b, location, beds=2)
    rating_change(location)
    assert rating_changes_to_intelligence() == 2
    assert sorted(Intelligence.objects.values_list("council__code", flat=True)) == [
        "bromley",
        "west-berkshire",
    ]


def test_a_rating_change_no_council_watches_makes_nothing(council_a, council_b):
    rating_change(LocationFactory(local_authority="Leeds"))
    assert rating_changes_to_intelligence() == 0
    assert not Intelligence.objects.exists()


def test_a_council_that_commissions_and_covers_the_area_gets_one_item(council_a):
    location = LocationFactory(local_authority="Bromley")
    commission(council_a, location, beds=2)
    rating_change(location)
    assert rating_changes_to_intelligence() == 1


def test_rating_changes_arrive_once_only(council_a, council_b):
    location = LocationFactory(local_authority="West Berkshire")
    rating_change(location)
    assert rating_changes_to_intelligence() == 1
    assert rating_changes_to_intelligence() == 0
    commission(council_a, location, beds=1)  # a council that starts commissioning it later
    assert rating_changes_to_intelligence() == 1
    assert rating_changes_to_intelligence() == 0
    assert Intelligence.objects.count() == 2
    assert Intelligence.objects.filter(council=council_b).count() == 1


@pytest.mark.parametrize(
    ("current", "severity"),
    [
        ("Inadequate", "high"),
        ("Requires improvement", "medium"),
        ("Good", "low"),
        ("Outstanding", "low"),
    ],
)
def test_rating_change_severity(current, severity, council_a):
    rating_change(
        LocationFactory(), previous="Good" if current != "Good" else "Inadequate", current=current
    )
    rating_changes_to_intelligence()
    assert Intelligence.objects.get().severity == severity


def test_a_rating_published_in_the_future_is_received_today(council_a):
    rating_change(LocationFactory(), report=today() + dt.timedelta(days=3))
    rating_changes_to_intelligence()
    assert Intelligence.objects.get().received_on == today()


def _cqc_record(overall, report_date, report_link_id):
    kq = [
        {"name": n, "rating": overall}
        for n in ("Safe", "Effective", "Caring", "Responsive", "Well-led")
    ]
    return {
        "locationId": "1-113737059",
        "providerId": "1-101641361",
        "name": "Oak Lodge",
        "organisationType": "Location",
        "registrationStatus": "Registered",
        "careHome": "Y",
        "numberOfBeds": 42,
        "postalAddressLine1": "1 Oak Road",
        "postalAddressTownCity": "Bromley",
        "postalCode": "BR1 1AA",
        "localAuthority": "Bromley",
        "region": "London",
        "currentRatings": {
            "overall": {
                "rating": overall,
                "reportDate": report_date,
                "reportLinkId": report_link_id,
                "keyQuestionRatings": kq,
            }
        },
        "historicRatings": [],
    }


def test_importing_a_changed_rating_puts_it_in_the_log(
    council_a, council_b, tmp_path, django_capture_on_commit_callbacks
):
    """End to end: the importer records the change and queues monitoring's sweep on commit
    (Celery eager in tests); Bromley's log has the item; importing again adds nothing."""
    path = tmp_path / "cqc.json"

    def run(record):
        path.write_text(json.dumps([record]))
        with django_capture_on_commit_callbacks(execute=True):
            return import_from_path(path=path, format=ImportFormat.CQC_JSON)

    run(_cqc_record("Good", "2024-03-14", "rl-2024"))
    assert not Intelligence.objects.exists()  # a first import is no change
    second = run(_cqc_record("Requires improvement", "2025-09-01", "rl-2025"))
    assert second.rating_changes == 1
    item = Intelligence.objects.get()
    assert (item.council, item.source, item.severity) == (council_a, Source.CQC, "medium")
    assert item.location.name == "Oak Lodge"
    assert "from Good to Requires improvement" in item.narrative
    run(_cqc_record("Requires improvement", "2025-09-01", "rl-2025"))
    assert Intelligence.objects.count() == 1

"""Rating history and 'regulator rating changed' events; a partial source never blanks fields."""

import datetime as dt
from pathlib import Path

import pytest

from providers import synthetic
from providers.demo import TRAFFORD_FILE
from providers.models import ImportStatus, Location, Provider, Rating, RatingChange
from providers.services import import_from_path, mapping_save
from tests.providers.importing.helpers import (
    DIRECTORY,
    RATINGS_HEADER,
    SPREADSHEET,
    STOCKDALES,
    csv_bytes,
    directory_csv,
    directory_row,
    import_bytes,
    import_json,
    kq,
    location_record,
    provider_record,
    ratings_row,
    trafford_rows,
)

pytestmark = pytest.mark.django_db


# === 3. History on change =====================================================================


class TestRatingHistory:
    """Requirement: a new rating adds a history row and records a 'regulator rating changed'
    event; re-importing it changes nothing."""

    def test_first_import_records_no_rating_change(self, tmp_path):
        """A location's first import adds its ratings but no RatingChange event."""
        run = import_json(tmp_path, [location_record()])
        assert Rating.objects.count() == 2
        assert RatingChange.objects.count() == 0
        assert run.rating_changes == 0

    def test_new_current_rating_adds_history_and_event(self, tmp_path):
        """A new report: one new Rating row, the old ones kept, a RatingChange from the old
        overall to the new, the location's latest rating updated; a repeat adds nothing."""
        first = import_json(tmp_path, [location_record()])
        old = Rating.objects.get(report_link_id="rl-2024")

        newer = location_record(
            overall="Inadequate",
            report_date="2025-09-01",
            report_link_id="rl-2025",
            historic=[],  # a record that no longer lists older reports does not remove them
        )
        second = import_json(tmp_path, [newer])

        assert second.status == ImportStatus.DONE, second.message
        assert second.ratings_added == 1
        assert second.rating_changes == 1
        assert second.locations_updated == 1
        assert Rating.objects.count() == 3
        assert Rating.objects.filter(pk=old.pk).exists()
        new = Rating.objects.get(report_link_id="rl-2025")
        assert new.report_date == dt.date(2025, 9, 1)
        assert new.overall == new.safe == new.well_led == "Inadequate"

        change = RatingChange.objects.get()
        assert change.location == Location.objects.get()
        assert change.previous == old
        assert change.current == new
        assert change.previous_overall == "Good"
        assert change.current_overall == "Inadequate"
        assert change.import_run_id == second.pk != first.pk

        loc = Location.objects.get()
        assert loc.overall_rating == "Inadequate"
        assert loc.rating_date == dt.date(2025, 9, 1)

        third = import_json(tmp_path, [newer])
        assert third.ratings_added == 0
        assert third.rating_changes == 0
        assert third.unchanged == 1
        assert RatingChange.objects.count() == 1
        assert Rating.objects.count() == 3

    def test_new_rating_with_history_listing_old_reports(self, tmp_path):
        """The usual shape: the new report is current and the old one moves to historic."""
        import_json(tmp_path, [location_record()])
        newer = location_record(
            overall="Outstanding",
            report_date="2025-09-01",
            report_link_id="rl-2025",
            historic=[
                {
                    "reportDate": "2024-03-14",
                    "reportLinkId": "rl-2024",
                    "overall": {"rating": "Good", "keyQuestionRatings": kq("Good")},
                },
                {
                    "reportDate": "2021-05-20",
                    "reportLinkId": "rl-2021",
                    "overall": {"rating": "Requires improvement"},
                },
            ],
        )
        run = import_json(tmp_path, [newer])
        assert run.ratings_added == 1
        assert run.rating_changes == 1
        assert Rating.objects.count() == 3
        change = RatingChange.objects.get()
        assert (change.previous_overall, change.current_overall) == ("Good", "Outstanding")
        assert Location.objects.get().overall_rating == "Outstanding"

    def test_backfilled_older_rating_is_not_a_change(self, tmp_path):
        """An older report seen for the first time joins the history but neither replaces
        the latest rating nor records an event."""
        import_json(tmp_path, [location_record(historic=[])])
        older = location_record(
            historic=[
                {
                    "reportDate": "2019-02-02",
                    "reportLinkId": "rl-2019",
                    "overall": {"rating": "Inadequate"},
                }
            ]
        )
        run = import_json(tmp_path, [older])
        assert run.ratings_added == 1
        assert run.rating_changes == 0
        assert RatingChange.objects.count() == 0
        loc = Location.objects.get()
        assert loc.overall_rating == "Good"
        assert loc.rating_date == dt.date(2024, 3, 14)
        assert loc.ratings.count() == 2

    def test_first_rating_for_a_location_already_on_the_register(self, tmp_path):
        """A location on the register without a rating that then gets one: the rating is
        kept and the event records no previous rating."""
        import_json(tmp_path, [location_record(overall="No published rating", historic=[])])
        run = import_json(tmp_path, [location_record(overall="Requires improvement")])
        assert run.ratings_added == 2
        change = RatingChange.objects.get()
        assert change.previous is None
        assert change.previous_overall == ""
        assert change.current_overall == "Requires improvement"
        assert Location.objects.get().overall_rating == "Requires improvement"

    def test_changes_only_for_changed_locations(self, tmp_path):
        """Among many locations, only the one with a new report gets an event."""
        providers, locations = synthetic.records(30, seed=3)
        import_json(tmp_path, providers + locations)
        target = locations[7]
        target["historicRatings"].append(
            {
                "reportDate": target["currentRatings"]["overall"]["reportDate"],
                "reportLinkId": target["currentRatings"]["overall"]["reportLinkId"],
                "overall": {"rating": target["currentRatings"]["overall"]["rating"]},
            }
        )
        target["currentRatings"] = {
            "overall": {
                "rating": "Inadequate",
                "reportDate": "2030-01-01",
                "reportLinkId": "rl-new",
                "keyQuestionRatings": kq("Inadequate"),
            }
        }
        run = import_json(tmp_path, providers + locations)
        assert run.ratings_added == 1
        assert run.rating_changes == 1
        assert run.locations_updated == 1
        assert run.unchanged == 29
        change = RatingChange.objects.get()
        assert change.location.cqc_location_id == target["locationId"]
        assert change.current_overall == "Inadequate"

    def test_same_report_from_ratings_csv_then_api_is_not_a_new_rating(self, tmp_path):
        """The same published report, first from the directory-with-ratings CSV (which has
        no report link id) and then from the CQC API, is one rating, not a change."""
        data = csv_bytes(
            [
                RATINGS_HEADER,
                ratings_row(
                    location_id="1-113737059",
                    rating="Good",
                    published="14/03/2024",
                    provider_id="1-101641361",
                ),
            ]
        )
        assert import_bytes(tmp_path, data, "ratings.csv", DIRECTORY).status == "done"
        assert Rating.objects.count() == 1

        import_json(tmp_path, [location_record(historic=[])])  # the same report, 2024-03-14

        # One row, completed with the API's report link id and key question ratings.
        assert list(Rating.objects.values_list("report_date", "report_link_id")) == [
            (dt.date(2024, 3, 14), "rl-2024")
        ]
        assert Rating.objects.get().safe != ""
        assert RatingChange.objects.count() == 0


# === 4. A partial source never blanks fields ==================================================


class TestPartialSources:
    """Requirement: a partial source (a council spreadsheet, the directory CSV, a record
    without some keys) never blanks what a fuller source set."""

    def test_trafford_spreadsheet_after_cqc_json_keeps_cqc_fields(self, tmp_path, trafford_mapping):
        """The Trafford row for a location already imported from CQC JSON does not blank its
        region, beds, registration, dormancy or rating."""
        row = next(r for r in trafford_rows() if r["provider"] == STOCKDALES)
        record = location_record(
            row["cqc_id"],
            "1-102643219",
            name=row["name"],
            providerName=STOCKDALES,
            region="North West",
            numberOfBeds=31,
            localAuthority="Trafford",
            postalAddressTownCity="Sale",
            dormancy="N",
        )
        import_json(tmp_path, [record, provider_record("1-102643219", name=STOCKDALES)])
        before = Location.objects.get()

        run = import_from_path(
            path=Path(TRAFFORD_FILE), format=SPREADSHEET, mapping=trafford_mapping
        )

        assert run.status == ImportStatus.DONE, run.message
        loc = Location.objects.get(cqc_location_id=row["cqc_id"])
        assert loc.pk == before.pk
        assert loc.region == "North West"
        assert loc.beds == 31
        assert loc.town == "Sale"
        assert loc.registration_status == "Registered"
        assert loc.registration_date == dt.date(2015, 6, 1)
        assert loc.dormant is False
        assert loc.overall_rating == "Good"
        assert loc.rating_date == dt.date(2024, 3, 14)
        assert loc.ratings.count() == 2
        assert RatingChange.objects.count() == 0
        # The spreadsheet's own fields do apply, and the home stays with its CQC provider.
        assert loc.address_line1 == row["address"]
        assert loc.provider.cqc_provider_id == "1-102643219"
        assert Location.objects.filter(provider=loc.provider).count() == 5

    def test_spreadsheet_row_for_known_location_adds_no_empty_provider(self, tmp_path, council_a):
        """A council list naming a known location's provider differently ("Ltd" for
        "Limited") changes nothing: no provider without locations appears."""
        import_json(tmp_path, [provider_record(name="Oak Care Limited"), location_record()])
        mapping = mapping_save(
            council=council_a,
            name="Ours",
            columns={"cqc_location_id": "ID", "name": "Name", "provider_name": "Provider"},
        )
        data = csv_bytes([["ID", "Name", "Provider"], ["1-113737059", "Oak Lodge", "Oak Care Ltd"]])
        run = import_bytes(tmp_path, data, "ours.csv", SPREADSHEET, mapping=mapping)
        assert run.status == ImportStatus.DONE
        assert run.unchanged == 1
        assert Location.objects.get().provider.name == "Oak Care Limited"
        assert run.providers_created == 0
        assert Provider.objects.count() == 1

    def test_json_record_missing_keys_does_not_blank(self, tmp_path):
        """A later CQC record that leaves keys out (no beds, region, ratings, service
        types) leaves the stored values alone."""
        import_json(tmp_path, [location_record()])
        sparse = {"locationId": "1-113737059", "providerId": "1-101641361", "name": "Oak Lodge"}
        run = import_json(tmp_path, [sparse])
        assert run.status == ImportStatus.DONE
        assert run.unchanged == 1
        loc = Location.objects.get()
        assert loc.beds == 42
        assert loc.region == "London"
        assert loc.postcode == "BR1 1AA"
        assert loc.overall_rating == "Good"
        assert loc.service_types.count() == 1
        assert loc.ratings.count() == 2

    def test_directory_csv_after_json_does_not_blank(self, tmp_path):
        """The directory CSV (no beds, region or ratings) after JSON keeps those."""
        import_json(tmp_path, [location_record()])
        data = directory_csv(
            [
                directory_row(
                    name="Oak Lodge",
                    location_id="1-113737059",
                    provider="Oak Care Ltd",
                    service_types="Nursing homes",
                    postcode="BR1 1AA",
                    authority="Bromley",
                )
            ]
        )
        run = import_bytes(tmp_path, data, "directory.csv", DIRECTORY)
        assert run.status == ImportStatus.DONE, run.message
        loc = Location.objects.get()
        assert loc.beds == 42
        assert loc.region == "London"
        assert loc.overall_rating == "Good"
        assert loc.registration_date == dt.date(2015, 6, 1)
        assert loc.last_inspection_date == dt.date(2026, 2, 25)

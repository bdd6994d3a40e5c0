"""CQC API JSON: every field lands on the register, and re-importing changes nothing."""

import datetime as dt
import json

import pytest

from providers import synthetic
from providers.models import ImportStatus, Location, Provider, Rating, ServiceType
from providers.services import import_from_path
from tests.providers.importing.helpers import (
    JSON,
    import_json,
    kq,
    location_record,
    provider_record,
    register_counts,
    register_snapshot,
    write_json,
)

pytestmark = pytest.mark.django_db


# === 1. CQC API JSON ==========================================================================


class TestCqcJson:
    """Requirement: CQC API location JSON (a file of records or a folder of files; the fields
    of location.schema.json, current and historic ratings)."""

    def test_location_fields_land_on_the_register(self, tmp_path):
        """Every register field the CQC record carries lands on the Location."""
        record = location_record(
            dormancy="Y",
            deregistrationDate="2026-01-31",
            registrationStatus="Deregistered",
            gacServiceTypes=[
                {"name": "Care home service with nursing", "description": "Nursing"},
                {"name": "Homecare agencies", "description": "Domiciliary care service"},
            ],
        )
        run = import_json(tmp_path, [record, provider_record()])

        assert run.status == ImportStatus.DONE, run.message
        loc = Location.objects.get(cqc_location_id="1-113737059")
        assert loc.name == "Oak Lodge"
        assert loc.regulator == "CQC"
        assert loc.source_key is None
        assert (loc.address_line1, loc.address_line2) == ("1 Oak Road", "Shortlands")
        assert (loc.town, loc.county) == ("Bromley", "Kent")
        assert loc.postcode == "BR1 1AA"
        assert loc.postcode_key == "BR11AA"
        assert loc.local_authority == "Bromley"
        assert loc.region == "London"
        assert loc.care_home is True
        assert loc.beds == 42
        assert loc.registration_status == "Deregistered"
        assert loc.registration_date == dt.date(2015, 6, 1)
        assert loc.deregistration_date == dt.date(2026, 1, 31)
        assert loc.dormant is True
        assert (loc.latitude, loc.longitude) == (51.4, 0.01)
        assert loc.phone == "02084640000"
        assert loc.website == "www.oak-lodge.example"
        assert loc.last_inspection_date == dt.date(2024, 1, 10)
        assert sorted(loc.service_types.values_list("name", "description")) == [
            ("Care home service with nursing", "Nursing"),
            ("Homecare agencies", "Domiciliary care service"),
        ]

    def test_not_dormant_and_not_a_care_home(self, tmp_path):
        """dormancy "N" and careHome "N" are kept as False, not left empty."""
        import_json(
            tmp_path,
            [location_record(dormancy="N", careHome="N", numberOfBeds=0)],
        )
        loc = Location.objects.get()
        assert loc.dormant is False
        assert loc.care_home is False
        assert loc.beds == 0

    def test_provider_record_fields(self, tmp_path):
        """Provider records: Companies House number, ownership type, nominated individual
        (under regulatedActivities[].nominatedIndividual), address; the location links to it."""
        # The location comes first in the file: providers are still applied before it.
        run = import_json(tmp_path, [location_record(), provider_record()])

        assert run.status == ImportStatus.DONE, run.message
        provider = Provider.objects.get()
        assert provider.cqc_provider_id == "1-101641361"
        assert provider.name == "Oak Care Ltd"
        assert provider.name_key == "oak care ltd"
        assert provider.companies_house_number == "01234567"
        assert provider.ownership_type == "Organisation"
        assert provider.nominated_individual == "Mrs Ann Smith"
        assert provider.registration_status == "Registered"
        assert provider.phone == "02080000000"
        assert provider.website == "https://oakcare.example"
        assert provider.address == "2 Head Office Way, Croydon"
        assert provider.postcode == "CR0 1AA"
        assert Location.objects.get().provider == provider
        assert run.providers_created == 1
        assert run.locations_created == 1

    def test_location_without_provider_record_creates_its_provider(self, tmp_path):
        """A location whose provider record is not in the file still gets its provider (by
        providerId, named from providerName)."""
        import_json(tmp_path, [location_record(providerName="Oak Care Ltd")])
        provider = Provider.objects.get()
        assert provider.cqc_provider_id == "1-101641361"
        assert provider.name == "Oak Care Ltd"
        assert Location.objects.get().provider == provider

    def test_current_and_historic_ratings_become_history(self, tmp_path):
        """Current and historic ratings each become a Rating row (overall + 5 key questions,
        report date, report link id); the location keeps the latest."""
        import_json(tmp_path, [location_record(), provider_record()])

        loc = Location.objects.get()
        ratings = list(loc.ratings.order_by("report_date"))
        assert [(r.report_date, r.report_link_id, r.overall) for r in ratings] == [
            (dt.date(2021, 5, 20), "rl-2021", "Requires improvement"),
            (dt.date(2024, 3, 14), "rl-2024", "Good"),
        ]
        old, current = ratings
        assert (old.safe, old.effective, old.caring, old.responsive, old.well_led) == (
            "Requires improvement",
            "Requires improvement",
            "Good",
            "Requires improvement",
            "Requires improvement",
        )
        assert (
            current.safe,
            current.effective,
            current.caring,
            current.responsive,
            current.well_led,
        ) == ("Good",) * 5
        assert all(r.regulator == "CQC" for r in ratings)
        assert loc.overall_rating == "Good"
        assert loc.rating_date == dt.date(2024, 3, 14)

    def test_key_question_ratings_kept_individually(self, tmp_path):
        """Each key question keeps its own rating (Well-led maps to well_led)."""
        record = location_record(overall="Requires improvement")
        record["currentRatings"]["overall"]["keyQuestionRatings"] = kq(
            "Good", safe="Inadequate", well_led="Requires improvement", caring="Outstanding"
        )
        import_json(tmp_path, [record])
        rating = Rating.objects.get(report_link_id="rl-2024")
        assert rating.overall == "Requires improvement"
        assert rating.safe == "Inadequate"
        assert rating.effective == "Good"
        assert rating.caring == "Outstanding"
        assert rating.responsive == "Good"
        assert rating.well_led == "Requires improvement"

    def test_no_published_rating_is_not_history(self, tmp_path):
        """A location with "No published rating" gets no Rating row and no overall rating."""
        record = location_record(overall="No published rating", historic=[])
        record["currentRatings"]["overall"].pop("keyQuestionRatings")
        run = import_json(tmp_path, [record])
        assert run.status == ImportStatus.DONE
        loc = Location.objects.get()
        assert loc.ratings.count() == 0
        assert loc.overall_rating == ""
        assert loc.rating_date is None

    def test_folder_of_json_files(self, tmp_path):
        """A folder of .json (and .jsonl) files imports as one run; other files are ignored."""
        folder = tmp_path / "cqc"
        folder.mkdir()
        write_json(folder, [provider_record()], "a-providers.json")
        write_json(
            folder,
            [location_record("1-1000000001"), location_record("1-1000000002", name="Elm")],
            "b-locations.json",
        )
        write_json(
            folder,
            json.dumps(location_record("1-1000000003", name="Ash")) + "\n",
            "c-one.json",
        )
        (folder / "README.txt").write_text("not data")

        run = import_from_path(path=folder, format=JSON)

        assert run.status == ImportStatus.DONE, run.message
        assert run.total == 4
        assert run.locations_created == 3
        assert sorted(Location.objects.values_list("cqc_location_id", flat=True)) == [
            "1-1000000001",
            "1-1000000002",
            "1-1000000003",
        ]
        assert Provider.objects.get().locations.count() == 3
        assert Rating.objects.count() == 6

    def test_json_lines(self, tmp_path):
        """JSON Lines: one record per line (blank lines ignored)."""
        lines = [
            json.dumps(provider_record()),
            "",
            json.dumps(location_record("1-1000000001")),
            json.dumps(location_record("1-1000000002", name="Elm House")),
        ]
        run = import_json(tmp_path, "\n".join(lines) + "\n", name="records.jsonl")
        assert run.status == ImportStatus.DONE, run.message
        assert run.locations_created == 2
        assert run.providers_created == 1
        assert Location.objects.get(cqc_location_id="1-1000000002").name == "Elm House"

    def test_object_with_locations_list(self, tmp_path):
        """An object with a "locations" list (as a paged API response holds them)."""
        data = {
            "page": 1,
            "totalPages": 1,
            "locations": [location_record("1-1000000001"), location_record("1-1000000002")],
        }
        run = import_json(tmp_path, data)
        assert run.status == ImportStatus.DONE, run.message
        assert Location.objects.count() == 2

    def test_single_record_object(self, tmp_path):
        """A file holding one record object (as /locations/{id} returns it)."""
        run = import_json(tmp_path, location_record())
        assert run.status == ImportStatus.DONE, run.message
        assert Location.objects.get().cqc_location_id == "1-113737059"

    def test_windows_1252_json(self, tmp_path):
        """A JSON file saved as Windows-1252 decodes correctly."""
        path = write_json(
            tmp_path,
            json.dumps([location_record(name="Café Lodge – St John’s")], ensure_ascii=False),
            encoding="cp1252",
        )
        run = import_from_path(path=path, format=JSON)
        assert run.status == ImportStatus.DONE, run.message
        assert Location.objects.get().name == "Café Lodge – St John’s"

    def test_utf8_bom_json(self, tmp_path):
        """A UTF-8 file with a byte-order mark imports."""
        path = tmp_path / "bom.json"
        path.write_bytes(b"\xef\xbb\xbf" + json.dumps([location_record()]).encode())
        assert import_from_path(path=path, format=JSON).status == ImportStatus.DONE
        assert Location.objects.count() == 1

    def test_run_report_counts(self, tmp_path):
        """The import report keeps its counts and a readable message."""
        run = import_json(tmp_path, [provider_record(), location_record()])
        run.refresh_from_db()
        assert run.status == ImportStatus.DONE
        assert run.total == run.processed == 2
        assert run.percent == 100
        assert run.providers_created == 1
        assert run.locations_created == 1
        assert run.locations_updated == 0
        assert run.unchanged == 0
        assert run.ratings_added == 2
        assert run.rating_changes == 0
        assert run.problem_count == 0
        assert run.started_at and run.finished_at
        assert "1 locations added" in run.message
        assert "2 ratings added" in run.message


# === 2. Idempotence ===========================================================================


class TestIdempotence:
    """Requirement: re-importing the same data changes nothing."""

    def test_synthetic_register_twice(self, tmp_path):
        """200 synthetic locations (and their providers) imported twice: the second run
        creates, updates and adds nothing, and every row is left exactly as it was."""
        n = 200
        providers, locations = synthetic.records(n, seed=7)
        path = write_json(tmp_path, providers + locations)

        first = import_from_path(path=path, format=JSON)
        assert first.status == ImportStatus.DONE, first.message
        assert first.locations_created == n
        assert first.providers_created == len(providers) == 40
        assert first.problem_count == 0
        expected_ratings = sum(1 + len(r["historicRatings"]) for r in locations)
        assert first.ratings_added == expected_ratings == Rating.objects.count()
        assert first.rating_changes == 0
        counts = register_counts()
        assert counts["locations"] == n
        snapshot = register_snapshot()

        second = import_from_path(path=path, format=JSON)
        assert second.status == ImportStatus.DONE, second.message
        assert second.providers_created == 0
        assert second.locations_created == 0
        assert second.locations_updated == 0
        assert second.unchanged == n
        assert second.ratings_added == 0
        assert second.rating_changes == 0
        assert second.problem_count == 0
        assert register_counts() == counts
        assert register_snapshot() == snapshot
        assert ServiceType.objects.count() == len(
            {t["name"] for r in locations for t in r["gacServiceTypes"]}
        )

    def test_synthetic_latest_rating_is_current(self, tmp_path):
        """For each synthetic location, overall_rating/rating_date are its current rating."""
        providers, locations = synthetic.records(40, seed=11)
        import_json(tmp_path, providers + locations)
        by_id = {loc.cqc_location_id: loc for loc in Location.objects.all()}
        for record in locations:
            current = record["currentRatings"]["overall"]
            loc = by_id[record["locationId"]]
            assert loc.overall_rating == current["rating"]
            assert loc.rating_date == dt.date.fromisoformat(current["reportDate"])

    def test_changed_field_counts_as_updated(self, tmp_path):
        """A re-import with one changed field updates just that location."""
        records = [location_record("1-1000000001"), location_record("1-1000000002")]
        import_json(tmp_path, records)
        records[1]["numberOfBeds"] = 50
        run = import_json(tmp_path, records)
        assert (run.locations_created, run.locations_updated, run.unchanged) == (0, 1, 1)
        assert Location.objects.get(cqc_location_id="1-1000000002").beds == 50
        assert Location.objects.get(cqc_location_id="1-1000000001").beds == 42

    def test_service_types_replaced_by_a_source_that_gives_them(self, tmp_path):
        """A re-import with different service types replaces the location's set."""
        record = location_record()
        import_json(tmp_path, [record])
        record["gacServiceTypes"] = [{"name": "Homecare agencies", "description": "Dom care"}]
        run = import_json(tmp_path, [record])
        assert run.locations_updated == 1
        loc = Location.objects.get()
        assert list(loc.service_types.values_list("name", flat=True)) == ["Homecare agencies"]

    def test_changed_provider_fields_update_provider(self, tmp_path):
        """A provider record re-imported with a new name updates the provider in place."""
        import_json(tmp_path, [provider_record(), location_record()])
        import_json(tmp_path, [provider_record(name="Oak Care Group Ltd")])
        provider = Provider.objects.get()
        assert provider.name == "Oak Care Group Ltd"
        assert provider.name_key == "oak care group ltd"
        assert provider.locations.count() == 1

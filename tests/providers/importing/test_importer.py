"""The register importer (issue: imports of CQC JSON, CQC's directory CSV and a council's own
spreadsheet through a saved column mapping; idempotent re-imports; rating history and
"regulator rating changed" events; per-row problems kept in an import report; unreadable
files refused with nothing written; progress on the terminal and in the browser).

Every test asserts what lands in the database. Inputs are built in the test (tmp_path); the
only shared file read is the real Trafford spreadsheet in shared/data."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from core.demo import TRAFFORD_FILE, TRAFFORD_MAPPING
from core.errors import ValidationFailed
from providers import synthetic
from providers.importing.records import name_key
from providers.models import (
    ColumnMapping,
    ImportFormat,
    ImportProblem,
    ImportRun,
    ImportStatus,
    Location,
    Provider,
    Rating,
    RatingChange,
    ServiceType,
)
from providers.services import import_execute, import_from_path, import_start, mapping_save

pytestmark = pytest.mark.django_db

JSON = ImportFormat.CQC_JSON
DIRECTORY = ImportFormat.CQC_CSV
SPREADSHEET = ImportFormat.SPREADSHEET
STOCKDALES = "Stockdales Of Sale, Altrincham & District Ltd"


# --- helpers ------------------------------------------------------------------------------


def kq(overall: str, **overrides) -> list[dict]:
    """keyQuestionRatings as the CQC API gives them."""
    names = {
        "Safe": "safe",
        "Effective": "effective",
        "Caring": "caring",
        "Responsive": "responsive",
        "Well-led": "well_led",
    }
    return [{"name": n, "rating": overrides.get(f, overall)} for n, f in names.items()]


def location_record(
    location_id="1-113737059",
    provider_id="1-101641361",
    *,
    name="Oak Lodge",
    overall="Good",
    report_date="2024-03-14",
    report_link_id="rl-2024",
    historic=None,
    **fields,
) -> dict:
    """A CQC API location record with the fields of location.schema.json."""
    record = {
        "locationId": location_id,
        "providerId": provider_id,
        "name": name,
        "organisationType": "Location",
        "type": "Social Care Org",
        "registrationStatus": "Registered",
        "registrationDate": "2015-06-01",
        "dormancy": "N",
        "careHome": "Y",
        "numberOfBeds": 42,
        "postalAddressLine1": "1 Oak Road",
        "postalAddressLine2": "Shortlands",
        "postalAddressTownCity": "Bromley",
        "postalAddressCounty": "Kent",
        "postalCode": "br11aa",
        "localAuthority": "Bromley",
        "region": "London",
        "onspdLatitude": 51.4,
        "onspdLongitude": 0.01,
        "mainPhoneNumber": "02084640000",
        "website": "www.oak-lodge.example",
        "lastInspection": {"date": "2024-01-10"},
        "gacServiceTypes": [
            {
                "name": "Care home service with nursing",
                "description": "Care home service with nursing",
            }
        ],
        "currentRatings": {
            "overall": {
                "rating": overall,
                "reportDate": report_date,
                "reportLinkId": report_link_id,
                "keyQuestionRatings": kq(overall),
            }
        },
        "historicRatings": historic
        if historic is not None
        else [
            {
                "reportDate": "2021-05-20",
                "reportLinkId": "rl-2021",
                "overall": {
                    "rating": "Requires improvement",
                    "keyQuestionRatings": kq("Requires improvement", caring="Good"),
                },
            }
        ],
    }
    record.update(fields)
    return record


def provider_record(provider_id="1-101641361", *, name="Oak Care Ltd", **fields) -> dict:
    """A CQC API provider record, nominated individual under regulatedActivities."""
    record = {
        "providerId": provider_id,
        "name": name,
        "organisationType": "Provider",
        "ownershipType": "Organisation",
        "companiesHouseNumber": "01234567",
        "charityNumber": "",
        "registrationStatus": "Registered",
        "mainPhoneNumber": "02080000000",
        "website": "https://oakcare.example",
        "postalAddressLine1": "2 Head Office Way",
        "postalAddressTownCity": "Croydon",
        "postalCode": "CR0 1AA",
        "locationIds": ["1-113737059"],
        "regulatedActivities": [
            {"name": "Treatment of disease, disorder or injury", "code": "RA5"},
            {
                "name": "Accommodation for persons who require nursing or personal care",
                "code": "RA2",
                "nominatedIndividual": {
                    "personTitle": "Mrs",
                    "personGivenName": "Ann",
                    "personFamilyName": "Smith",
                },
            },
        ],
    }
    record.update(fields)
    return record


def write_json(tmp_path: Path, data, name="records.json", encoding="utf-8") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else json.dumps(data)
    path.write_bytes(text.encode(encoding))
    return path


def import_json(tmp_path: Path, data, name="records.json") -> ImportRun:
    return import_from_path(path=write_json(tmp_path, data, name), format=JSON)


def import_bytes(tmp_path: Path, content: bytes, name: str, format: str, **kw) -> ImportRun:
    path = tmp_path / name
    path.write_bytes(content)
    return import_from_path(path=path, format=format, **kw)


def register_counts() -> dict:
    return {
        "providers": Provider.objects.count(),
        "locations": Location.objects.count(),
        "ratings": Rating.objects.count(),
        "changes": RatingChange.objects.count(),
        "service_type_links": Location.service_types.through.objects.count(),
    }


EMPTY_REGISTER = {
    "providers": 0,
    "locations": 0,
    "ratings": 0,
    "changes": 0,
    "service_type_links": 0,
}


def register_snapshot() -> dict:
    """Every register row, with its timestamps: equal snapshots mean nothing was written."""
    return {
        "providers": list(Provider.objects.order_by("pk").values()),
        "locations": list(Location.objects.order_by("pk").values()),
        "ratings": list(Rating.objects.order_by("pk").values()),
        "changes": list(RatingChange.objects.order_by("pk").values()),
        "types": sorted(
            Location.service_types.through.objects.values_list("location_id", "servicetype_id")
        ),
    }


def problems(run: ImportRun) -> dict[int, str]:
    return {p.row: p.reason for p in ImportProblem.objects.filter(run=run)}


def assert_refused(run: ImportRun, *phrases: str) -> None:
    """Refused with a clear message, and nothing written to the register or the report."""
    run.refresh_from_db()
    assert run.status == ImportStatus.REFUSED, run.message
    for phrase in phrases:
        assert phrase.lower() in run.message.lower(), run.message
    assert register_counts() == EMPTY_REGISTER
    assert not ImportProblem.objects.filter(run=run).exists()
    assert run.locations_created == run.ratings_added == run.problem_count == 0
    assert run.finished_at is not None


DIRECTORY_HEADER = [
    "Name",
    "Also known as",
    "Address",
    "Postcode",
    "Phone number",
    "Service's website (if available)",
    "Service types",
    "Date of latest check",
    "Specialisms/services",
    "Provider name",
    "Local authority",
    "Region",
    "Location URL",
    "CQC Location ID (for office use only)",
    "CQC Provider ID (for office use only)",
]
DIRECTORY_PREAMBLE = [
    ["Care directory with filters (25 February 2026)"],
    ["This file lists every service registered with the Care Quality Commission"],
    ["Contains public sector information licensed under the Open Government Licence v3.0"],
    [""],
]


def directory_row(
    name="Café Lodge",
    location_id="1-300000001",
    service_types="Residential homes",
    provider="St John’s Care Ltd",
    checked="25/Feb/2026 - 10:31",
    postcode="m33 2ab",
    authority="Trafford",
) -> list[str]:
    return [
        name,
        "",
        "1 High Street, Sale",
        postcode,
        "01619000000",
        "www.example.org",
        service_types,
        checked,
        "Dementia|Caring for adults over 65 yrs",
        provider,
        authority,
        "North West",
        f"https://www.cqc.org.uk/location/{location_id}",
        location_id,
        "",
    ]


def csv_bytes(rows, encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def directory_csv(rows, encoding="utf-8", preamble=DIRECTORY_PREAMBLE) -> bytes:
    return csv_bytes([*preamble, DIRECTORY_HEADER, *rows], encoding)


RATINGS_HEADER = [
    "Location ID",
    "Location ODS Code",
    "Location Name",
    "Care home?",
    "Location Type/Sector",
    "Location Inspection Directorate",
    "Location Primary Inspection Category",
    "Location Latest Overall Rating",
    "Publication Date",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location Post Code",
    "Location Postal Code",
    "Location Local Authority",
    "Location Region",
    "Care homes beds",
    "Provider ID",
    "Provider Name",
]


def ratings_row(
    location_id="1-400000001",
    name="Maple Court",
    care_home="Y",
    rating="Requires improvement",
    published="14/03/2024",
    beds="40",
    provider_id="1-500000001",
    provider="Maple Group Ltd",
) -> list[str]:
    return [
        location_id,
        "",
        name,
        care_home,
        "Social Care Org",
        "Adult social care",
        "Residential social care",
        rating,
        published,
        "5 Maple Road",
        "",
        "Bedford",
        "",
        "MK40 1AB",
        "Bedford",
        "East of England",
        beds,
        provider_id,
        provider,
    ]


def trafford_rows() -> list[dict]:
    with open(TRAFFORD_FILE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def trafford_mapping(council_a, officer_a) -> ColumnMapping:
    """core.demo.TRAFFORD_MAPPING saved for council_a through the service."""
    return mapping_save(
        council=council_a,
        name="Trafford Data Lab care homes list",
        columns=TRAFFORD_MAPPING,
        options={"service_type_separator": "|", "null_values": ["", "NA"]},
        actor=officer_a,
    )


def trafford_xlsx(path: Path) -> Path:
    """The Trafford file as a workbook with typed cells (numbers, dates), as Excel keeps it."""
    book = openpyxl.Workbook()
    sheet = book.active
    rows = trafford_rows()
    header = list(rows[0])
    sheet.append(header)
    for row in rows:
        cells = []
        for key in header:
            value = row[key]
            if key in ("lon", "lat"):
                value = float(value)
            elif key == "inspection_date" and value != "NA":
                value = dt.datetime.strptime(value, "%Y-%m-%d")
            cells.append(value)
        sheet.append(cells)
    book.save(path)
    return path


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


# === 5. CQC directory CSV =====================================================================


class TestDirectoryCsv:
    """Requirement: CQC's directory CSV (4 lines before the header; the columns of
    data/README.md), and the "with ratings" variant."""

    def test_directory_import(self, tmp_path):
        """Rows land with their fields; a provider's homes are grouped by its name."""
        rows = [
            directory_row(),
            directory_row(
                name="Rose House",
                location_id="1-300000002",
                service_types="Nursing homes|Residential homes",
                checked="03/Jan/2025 - 09:00",
            ),
            directory_row(
                name="Sale Home Care",
                location_id="1-300000003",
                service_types="Homecare agencies",
                provider="Other Provider Ltd",
                checked="",
            ),
        ]
        run = import_bytes(tmp_path, directory_csv(rows), "directory.csv", DIRECTORY)

        assert run.status == ImportStatus.DONE, run.message
        assert run.locations_created == 3
        assert run.providers_created == 2
        assert run.problem_count == 0
        cafe = Location.objects.get(cqc_location_id="1-300000001")
        assert cafe.name == "Café Lodge"
        assert cafe.address_line1 == "1 High Street, Sale"
        assert cafe.postcode == "M33 2AB"
        assert cafe.phone == "01619000000"
        assert cafe.website == "www.example.org"
        assert cafe.local_authority == "Trafford"
        assert cafe.last_inspection_date == dt.date(2026, 2, 25)
        assert cafe.care_home is True
        assert cafe.provider.name == "St John’s Care Ltd"
        assert cafe.provider.cqc_provider_id is None
        assert list(cafe.service_types.values_list("name", flat=True)) == ["Residential homes"]
        rose = Location.objects.get(cqc_location_id="1-300000002")
        assert rose.provider == cafe.provider
        assert rose.last_inspection_date == dt.date(2025, 1, 3)
        assert sorted(rose.service_types.values_list("name", flat=True)) == [
            "Nursing homes",
            "Residential homes",
        ]
        homecare = Location.objects.get(cqc_location_id="1-300000003")
        assert homecare.care_home is False
        assert homecare.last_inspection_date is None
        assert homecare.provider.name == "Other Provider Ltd"
        assert Rating.objects.count() == 0

    def test_directory_reimport_changes_nothing(self, tmp_path):
        """The same directory file twice: the second run leaves every row as it was."""
        rows = [directory_row(), directory_row(name="Rose House", location_id="1-300000002")]
        data = directory_csv(rows)
        import_bytes(tmp_path, data, "directory.csv", DIRECTORY)
        snapshot = register_snapshot()
        run = import_bytes(tmp_path, data, "directory.csv", DIRECTORY)
        assert (run.locations_created, run.locations_updated, run.unchanged) == (0, 0, 2)
        assert run.providers_created == 0
        assert register_snapshot() == snapshot

    def test_directory_bad_rows_reported_by_line(self, tmp_path):
        """A bad row is reported with its line in the file (header on line 5, first data
        row on line 6); the good rows still import."""
        rows = [
            directory_row(),  # line 6
            directory_row(location_id="RXX12"),  # line 7
            directory_row(name="", location_id="1-300000003"),  # line 8
            directory_row(name="Late", location_id="1-300000004", checked="yesterday"),  # 9
            directory_row(name="Fine", location_id="1-300000005"),  # line 10
        ]
        run = import_bytes(tmp_path, directory_csv(rows), "directory.csv", DIRECTORY)
        assert run.status == ImportStatus.DONE, run.message
        assert run.locations_created == 2
        assert run.problem_count == 3
        found = problems(run)
        assert set(found) == {7, 8, 9}
        assert "location ID" in found[7] and "RXX12" in found[7]
        assert "Name" in found[8]
        assert "Date of latest check" in found[9]
        assert ImportProblem.objects.get(run=run, row=7).identifier == "RXX12"

    def test_directory_windows_1252(self, tmp_path):
        """A Windows-1252 directory CSV imports and its text is right ("é", "’")."""
        data = directory_csv([directory_row()], encoding="cp1252")
        assert "é".encode("cp1252") in data and b"\x92" in data  # really cp1252
        run = import_bytes(tmp_path, data, "directory.csv", DIRECTORY)
        assert run.status == ImportStatus.DONE, run.message
        loc = Location.objects.get()
        assert loc.name == "Café Lodge"
        assert loc.provider.name == "St John’s Care Ltd"

    def test_directory_header_found_without_preamble(self, tmp_path):
        """A directory file saved without its title lines still imports."""
        data = directory_csv([directory_row()], preamble=[])
        run = import_bytes(tmp_path, data, "directory.csv", DIRECTORY)
        assert run.status == ImportStatus.DONE, run.message
        assert Location.objects.count() == 1

    def test_directory_as_xlsx(self, tmp_path):
        """The directory as a workbook (title lines, then the header) imports the same."""
        book = openpyxl.Workbook()
        for row in [*DIRECTORY_PREAMBLE, DIRECTORY_HEADER, directory_row()]:
            book.active.append(row)
        path = tmp_path / "directory.xlsx"
        book.save(path)
        run = import_from_path(path=path, format=DIRECTORY)
        assert run.status == ImportStatus.DONE, run.message
        loc = Location.objects.get()
        assert loc.name == "Café Lodge"
        assert loc.last_inspection_date == dt.date(2026, 2, 25)

    @pytest.mark.parametrize("preamble", [0, 4], ids=["header-first", "4-title-lines"])
    def test_with_ratings_variant(self, tmp_path, preamble):
        """The "with ratings" variant: IDs, care home, beds, authority, postcode, provider
        ID, and the latest overall rating with its publication date as history."""
        rows = [
            ratings_row(),
            ratings_row(
                location_id="1-400000002",
                name="Cedar View",
                care_home="N",
                rating="Outstanding",
                published="01/12/2023",
                beds="",
            ),
            ratings_row(
                location_id="1-400000003",
                name="New Place",
                rating="No published rating",
                published="",
                provider_id="1-500000002",
                provider="Other Ltd",
            ),
        ]
        head = DIRECTORY_PREAMBLE[:preamble]
        run = import_bytes(
            tmp_path, csv_bytes([*head, RATINGS_HEADER, *rows]), "ratings.csv", DIRECTORY
        )

        assert run.status == ImportStatus.DONE, run.message
        assert run.locations_created == 3
        assert run.providers_created == 2
        assert run.ratings_added == 2
        maple = Location.objects.get(cqc_location_id="1-400000001")
        assert maple.name == "Maple Court"
        assert maple.care_home is True
        assert maple.beds == 40
        assert maple.local_authority == "Bedford"
        assert maple.region == "East of England"
        assert maple.postcode == "MK40 1AB"
        assert maple.address_line1 == "5 Maple Road"
        assert maple.town == "Bedford"
        assert maple.provider.cqc_provider_id == "1-500000001"
        assert maple.provider.name == "Maple Group Ltd"
        assert maple.overall_rating == "Requires improvement"
        assert maple.rating_date == dt.date(2024, 3, 14)
        rating = maple.ratings.get()
        assert (rating.report_date, rating.overall) == (
            dt.date(2024, 3, 14),
            "Requires improvement",
        )
        cedar = Location.objects.get(cqc_location_id="1-400000002")
        assert cedar.care_home is False
        assert cedar.beds is None
        assert cedar.provider == maple.provider
        assert cedar.overall_rating == "Outstanding"
        new = Location.objects.get(cqc_location_id="1-400000003")
        assert new.overall_rating == ""
        assert new.ratings.count() == 0

    def test_with_ratings_reimport_and_new_rating(self, tmp_path):
        """Re-importing the ratings file changes nothing; a later file with a new
        publication date adds history and a RatingChange."""
        data = csv_bytes([RATINGS_HEADER, ratings_row()])
        import_bytes(tmp_path, data, "ratings.csv", DIRECTORY)
        snapshot = register_snapshot()
        again = import_bytes(tmp_path, data, "ratings.csv", DIRECTORY)
        assert (again.unchanged, again.ratings_added, again.rating_changes) == (1, 0, 0)
        assert register_snapshot() == snapshot

        newer = csv_bytes([RATINGS_HEADER, ratings_row(rating="Good", published="02/02/2026")])
        run = import_bytes(tmp_path, newer, "ratings.csv", DIRECTORY)
        assert (run.ratings_added, run.rating_changes) == (1, 1)
        change = RatingChange.objects.get()
        assert (change.previous_overall, change.current_overall) == (
            "Requires improvement",
            "Good",
        )
        assert Location.objects.get().overall_rating == "Good"

    def test_with_ratings_bad_values_reported(self, tmp_path):
        """Unknown rating, bad date, bad beds, bad Y/N are each reported by line."""
        rows = [
            ratings_row(),  # line 2
            ratings_row(location_id="1-400000002", rating="Brilliant"),  # 3
            ratings_row(location_id="1-400000003", published="32/13/2024"),  # 4
            ratings_row(location_id="1-400000004", beds="forty"),  # 5
            ratings_row(location_id="1-400000005", care_home="Maybe"),  # 6
            ratings_row(location_id="1-400000006", provider_id="P-1"),  # 7
        ]
        run = import_bytes(tmp_path, csv_bytes([RATINGS_HEADER, *rows]), "r.csv", DIRECTORY)
        assert run.status == ImportStatus.DONE
        assert run.locations_created == 1
        found = problems(run)
        assert set(found) == {3, 4, 5, 6, 7}
        assert "Location Latest Overall Rating" in found[3] and "Brilliant" in found[3]
        assert "Publication Date" in found[4]
        assert "Care homes beds" in found[5]
        assert "Care home?" in found[6]
        assert "provider ID" in found[7]


# === 6. A council's spreadsheet through a saved column mapping ================================


class TestSpreadsheet:
    """Requirement: a council's own spreadsheet (CSV or XLSX) with a saved column mapping;
    the Trafford file imports through it, providers grouped."""

    def test_trafford_csv(self, trafford_mapping):
        """The real Trafford file: 56 homes, Stockdales runs 5, fields land, grouped by
        provider name; a re-import changes nothing."""
        rows = trafford_rows()
        assert len(rows) == 56
        run = import_from_path(
            path=Path(TRAFFORD_FILE), format=SPREADSHEET, mapping=trafford_mapping
        )

        assert run.status == ImportStatus.DONE, run.message
        assert run.problem_count == 0
        assert run.locations_created == 56
        assert Location.objects.count() == 56
        provider_names = {name_key(r["provider"]) for r in rows}
        assert Provider.objects.count() == len(provider_names) == run.providers_created
        stockdales = Provider.objects.get(name=STOCKDALES)
        assert stockdales.cqc_provider_id is None
        assert sorted(stockdales.locations.values_list("name", flat=True)) == [
            "Ashton Lane",
            "Fownhope",
            "Harboro",
            "Hayling Road",
            "Headonhey",
        ]
        assert (
            Provider.objects.filter(name="Maria Mallaband 16 Limited").get().locations.count() == 2
        )

        loc = Location.objects.get(cqc_location_id="1-466088203")
        assert loc.name == "10 Spennithorne Road"
        assert loc.address_line1 == "10 Spennithorne Road,Urmston,Manchester"
        assert loc.postcode == "M41 5BU"
        assert loc.phone == "1617486414"
        assert loc.website == ""  # "NA" is a null value
        assert loc.local_authority == "Trafford"
        assert loc.last_inspection_date == dt.date(2023, 5, 31)
        assert (loc.longitude, loc.latitude) == (-2.365264, 53.44763)
        assert loc.care_home is True
        assert loc.regulator == "CQC"
        assert list(loc.service_types.values_list("name", flat=True)) == ["Residential homes"]
        assert Location.objects.filter(care_home=True).count() == 56
        assert Location.objects.filter(last_inspection_date__isnull=True).count() == sum(
            r["inspection_date"] == "NA" for r in rows
        )

        snapshot = register_snapshot()
        again = import_from_path(
            path=Path(TRAFFORD_FILE), format=SPREADSHEET, mapping=trafford_mapping
        )
        assert again.status == ImportStatus.DONE
        assert (again.locations_created, again.locations_updated, again.unchanged) == (0, 0, 56)
        assert again.providers_created == 0
        assert register_snapshot() == snapshot

    def test_trafford_xlsx_imports_the_same(self, tmp_path, trafford_mapping):
        """The same data as XLSX (numbers and dates as typed cells) gives the same register:
        56 homes, Stockdales 5; the CSV imported after it changes nothing."""
        path = trafford_xlsx(tmp_path / "trafford.xlsx")
        run = import_from_path(path=path, format=SPREADSHEET, mapping=trafford_mapping)

        assert run.status == ImportStatus.DONE, run.message
        assert run.problem_count == 0
        assert run.locations_created == 56
        assert Provider.objects.get(name=STOCKDALES).locations.count() == 5
        loc = Location.objects.get(cqc_location_id="1-466088203")
        assert loc.last_inspection_date == dt.date(2023, 5, 31)
        assert loc.latitude == 53.44763

        snapshot = register_snapshot()
        csv_run = import_from_path(
            path=Path(TRAFFORD_FILE), format=SPREADSHEET, mapping=trafford_mapping
        )
        assert (csv_run.locations_created, csv_run.locations_updated, csv_run.unchanged) == (
            0,
            0,
            56,
        )
        assert register_snapshot() == snapshot

        again = import_from_path(path=path, format=SPREADSHEET, mapping=trafford_mapping)
        assert again.unchanged == 56
        assert register_snapshot() == snapshot

    def test_mapping_names_a_missing_column(self, tmp_path, council_a):
        """A mapping naming a column the file lacks: refused, naming it, nothing written."""
        mapping = mapping_save(
            council=council_a,
            name="Wrong",
            columns={**TRAFFORD_MAPPING, "beds": "number_of_beds"},
        )
        run = import_from_path(path=Path(TRAFFORD_FILE), format=SPREADSHEET, mapping=mapping)
        assert_refused(run, "number_of_beds")

    def test_spreadsheet_without_mapping_is_refused(self):
        """The shell refuses a spreadsheet import that has no mapping."""
        run = import_from_path(path=Path(TRAFFORD_FILE), format=SPREADSHEET)
        assert_refused(run, "mapping")

    def test_mapping_save_rejects_unknown_field(self, council_a):
        """mapping_save names a field the register does not keep."""
        with pytest.raises(ValidationFailed) as exc:
            mapping_save(
                council=council_a,
                name="Bad",
                columns={**TRAFFORD_MAPPING, "favourite_colour": "colour"},
            )
        assert "columns.favourite_colour" in exc.value.errors
        assert not ColumnMapping.objects.exists()

    @pytest.mark.parametrize("field", ["name", "provider_name"])
    def test_mapping_save_requires_fields(self, council_a, field):
        """mapping_save names a required field left unmapped (missing or blank)."""
        columns = {k: v for k, v in TRAFFORD_MAPPING.items() if k != field}
        with pytest.raises(ValidationFailed) as exc:
            mapping_save(council=council_a, name="Bad", columns=columns)
        assert f"columns.{field}" in exc.value.errors
        with pytest.raises(ValidationFailed) as exc:
            mapping_save(council=council_a, name="Bad", columns={**TRAFFORD_MAPPING, field: " "})
        assert f"columns.{field}" in exc.value.errors
        assert not ColumnMapping.objects.exists()

    def test_mapping_save_other_checks(self, council_a):
        """A blank mapping name and a bad header row are named too."""
        with pytest.raises(ValidationFailed) as exc:
            mapping_save(
                council=council_a,
                name="  ",
                columns=TRAFFORD_MAPPING,
                options={"header_row": 0},
            )
        assert set(exc.value.errors) == {"name", "options.header_row"}

    def test_mapping_save_replaces_by_name(self, council_a, officer_a):
        """Saving a mapping of the same name replaces it; it is the council's own."""
        first = mapping_save(council=council_a, name="Ours", columns=TRAFFORD_MAPPING)
        second = mapping_save(
            council=council_a,
            name="Ours",
            columns={"name": "Home", "provider_name": "Owner", "postcode": "PC"},
            options={"header_row": 2},
            actor=officer_a,
        )
        assert first.pk == second.pk
        second.refresh_from_db()
        assert second.columns == {"name": "Home", "provider_name": "Owner", "postcode": "PC"}
        assert second.options == {"header_row": 2}
        assert second.council == council_a
        assert ColumnMapping.objects.count() == 1

    def test_spreadsheet_without_cqc_ids(self, tmp_path, council_a):
        """Unregistered services (no CQC ID) are told apart by provider, name and postcode,
        with options for the header row and separator; a re-import changes nothing."""
        mapping = mapping_save(
            council=council_a,
            name="Local",
            columns={
                "name": "Service",
                "provider_name": "Owner",
                "postcode": "Post code",
                "service_types": "Types",
                "beds": "Beds",
                "care_home": "Care home",
                "overall_rating": "Rating",
                "rating_date": "Rated",
            },
            options={"header_row": 3, "service_type_separator": ";", "null_values": ["-"]},
        )
        rows = [
            ["Council list of semi-independent provision"],
            ["Exported 2026-02-01"],
            ["Service", "Owner", "Post code", "Types", "Beds", "Care home", "Rating", "Rated"],
            ["Ivy Flat", "Ivy Trust", "br2 9aa", "Supported living;16+", "4", "N", "-", "-"],
            ["Ivy Flat 2", "IVY TRUST", "BR2 9AB", "Supported living", "-", "-", "-", "-"],
            ["Holly Home", "Holly Ltd", "BR3 1AA", "", "12", "Y", "Good", "01/02/2025"],
            ["No Postcode", "Holly Ltd", "", "", "", "", "", ""],
            ["Ivy Flat", "Ivy Trust", "BR2 9AA", "", "", "", "", ""],  # duplicate of line 4
        ]
        path = tmp_path / "local.csv"
        path.write_bytes(csv_bytes(rows))
        run = import_from_path(path=path, format=SPREADSHEET, mapping=mapping)

        assert run.status == ImportStatus.DONE, run.message
        assert run.locations_created == 3
        assert run.providers_created == 2
        found = problems(run)
        assert set(found) == {7, 8}
        assert "postcode" in found[7]
        assert "duplicate" in found[8] and "4" in found[8]
        ivy = Location.objects.get(name="Ivy Flat")
        assert ivy.cqc_location_id is None
        assert ivy.regulator == "none"
        assert ivy.source_key
        assert ivy.postcode == "BR2 9AA"
        assert ivy.beds == 4
        assert ivy.care_home is False
        assert sorted(ivy.service_types.values_list("name", flat=True)) == [
            "16+",
            "Supported living",
        ]
        assert Location.objects.get(name="Ivy Flat 2").provider == ivy.provider
        assert Location.objects.get(name="Ivy Flat 2").beds is None
        holly = Location.objects.get(name="Holly Home")
        assert holly.overall_rating == "Good"
        assert holly.rating_date == dt.date(2025, 2, 1)
        assert holly.ratings.get().overall == "Good"

        snapshot = register_snapshot()
        again = import_from_path(path=path, format=SPREADSHEET, mapping=mapping)
        assert (again.locations_created, again.locations_updated, again.unchanged) == (0, 0, 3)
        assert again.providers_created == 0
        assert register_snapshot() == snapshot

    def test_spreadsheet_bad_rows(self, tmp_path, council_a):
        """Bad values in a council spreadsheet are reported by row; the rest import."""
        mapping = mapping_save(
            council=council_a,
            name="Simple",
            columns={
                "cqc_location_id": "ID",
                "name": "Name",
                "provider_name": "Provider",
                "postcode": "Postcode",
                "beds": "Beds",
                "overall_rating": "Rating",
                "rating_date": "Date",
            },
        )
        rows = [
            ["ID", "Name", "Provider", "Postcode", "Beds", "Rating", "Date"],
            ["1-600000001", "Good Home", "P Ltd", "BR1 1AA", "10", "Good", "2025-01-01"],
            ["bad-id", "Bad ID", "P Ltd", "BR1 1AA", "10", "", ""],
            ["1-600000003", "Bad Beds", "P Ltd", "BR1 1AA", "ten", "", ""],
            ["1-600000004", "Undated", "P Ltd", "BR1 1AA", "", "Good", ""],
            ["1-600000005", "No provider", "", "BR1 1AA", "", "", ""],
            ["1-600000006", "", "P Ltd", "BR1 1AA", "", "", ""],
        ]
        path = tmp_path / "list.csv"
        path.write_bytes(csv_bytes(rows))
        run = import_from_path(path=path, format=SPREADSHEET, mapping=mapping)
        assert run.status == ImportStatus.DONE
        assert run.locations_created == 1
        found = problems(run)
        assert set(found) == {3, 4, 5, 6, 7}
        assert "location ID" in found[3]
        assert "beds" in found[4]
        assert "rating date" in found[5]
        assert "provider" in found[6]
        assert "name" in found[7]

    def test_empty_spreadsheet_refused(self, tmp_path, trafford_mapping):
        """A spreadsheet with no header row at all is refused, nothing written."""
        run = import_bytes(tmp_path, b"", "t.csv", SPREADSHEET, mapping=trafford_mapping)
        assert_refused(run, "no header row")

    def test_header_row_option_past_the_end_refused(self, tmp_path, council_a):
        """A mapping whose header row is past the end of the file: refused."""
        mapping = mapping_save(
            council=council_a,
            name="Deep",
            columns={"name": "Name", "provider_name": "Provider"},
            options={"header_row": 5},
        )
        data = csv_bytes([["Name", "Provider"], ["A", "B"]])
        run = import_bytes(tmp_path, data, "t.csv", SPREADSHEET, mapping=mapping)
        assert_refused(run, "line 5")

    @pytest.mark.parametrize(
        ("option", "value"),
        [("service_type_separator", ""), ("null_values", 5)],
        ids=["empty-separator", "null-values-not-a-list"],
    )
    def test_mapping_save_rejects_unusable_options(self, tmp_path, council_a, option, value):
        """Options that make every import fail are refused when the mapping is saved."""
        try:
            mapping = mapping_save(
                council=council_a,
                name="Opts",
                columns={**TRAFFORD_MAPPING},
                options={option: value},
            )
        except ValidationFailed as exc:
            assert f"options.{option}" in exc.errors
            return
        run = import_from_path(path=Path(TRAFFORD_FILE), format=SPREADSHEET, mapping=mapping)
        assert run.status == ImportStatus.DONE, run.message

    def test_spreadsheet_utf16_refused(self, tmp_path, trafford_mapping):
        """A council spreadsheet saved as UTF-16 is refused with nothing written."""
        data = Path(TRAFFORD_FILE).read_text(encoding="utf-8").encode("utf-16")
        run = import_bytes(tmp_path, data, "t.csv", SPREADSHEET, mapping=trafford_mapping)
        assert_refused(run, "UTF-16")

    def test_broken_xlsx_refused(self, tmp_path, trafford_mapping):
        """A file that looks like a workbook but is not one is refused."""
        data = b"PK\x03\x04" + b"\x00garbage" * 20
        run = import_bytes(tmp_path, data, "t.xlsx", SPREADSHEET, mapping=trafford_mapping)
        assert_refused(run, "Excel workbook")


# === 7. Bad rows ==============================================================================


class TestBadRecords:
    """Requirement: bad rows do not stop good ones; each is reported with its row or record
    number and reason in an import report kept in the database."""

    def test_bad_json_records_reported_good_ones_imported(self, tmp_path):
        """Records 2-5 are bad in different ways; 1, 6 and 7 import."""
        bad_rating = location_record("1-1000000004", overall="Brilliant")
        bad_kq = location_record("1-1000000008")
        bad_kq["currentRatings"]["overall"]["keyQuestionRatings"][0]["rating"] = "Super"
        records = [
            location_record("1-1000000001"),  # 1
            location_record("ABC-123"),  # 2: bad locationId
            location_record("1-1000000003", numberOfBeds="lots"),  # 3: beds not a number
            bad_rating,  # 4: unknown rating value
            "not a record",  # 5: not an object
            location_record("1-1000000006"),  # 6
            provider_record(),  # 7
            bad_kq,  # 8: unknown key question rating
            location_record("1-1000000009", registrationDate="31st of June"),  # 9
            location_record("1-1000000010", careHome="Perhaps"),  # 10
            location_record("1-1000000011", name=" "),  # 11
            {"name": "Neither"},  # 12
            provider_record("Prov-1"),  # 13
            location_record("1-1000000014", numberOfBeds=-3),  # 14
        ]
        run = import_json(tmp_path, records)

        assert run.status == ImportStatus.DONE, run.message
        assert sorted(Location.objects.values_list("cqc_location_id", flat=True)) == [
            "1-1000000001",
            "1-1000000006",
        ]
        assert Provider.objects.count() == 1
        assert run.locations_created == 2
        assert run.problem_count == 11
        assert ImportProblem.objects.filter(run=run).count() == 11
        found = problems(run)
        assert set(found) == {2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14}
        assert "location ID" in found[2] and "ABC-123" in found[2]
        assert "numberOfBeds" in found[3] and "lots" in found[3]
        assert "rating" in found[4] and "Brilliant" in found[4]
        assert "object" in found[5]
        assert "Safe" in found[8] and "Super" in found[8]
        assert "registrationDate" in found[9]
        assert "careHome" in found[10]
        assert "name" in found[11]
        assert "locationId" in found[12] and "providerId" in found[12]
        assert "provider ID" in found[13]
        assert "numberOfBeds" in found[14] and "negative" in found[14]
        by_row = {p.row: p for p in ImportProblem.objects.filter(run=run)}
        assert by_row[2].identifier == "ABC-123"
        assert by_row[3].identifier == "1-1000000003"
        assert by_row[5].identifier == ""
        assert all(p.council_id is None for p in by_row.values())
        # The report lists them in row order.
        assert list(ImportProblem.objects.filter(run=run).values_list("row", flat=True)) == sorted(
            found
        )
        assert "11 rows with problems" in run.message

    def test_duplicates_in_one_file_reported(self, tmp_path):
        """A location or provider twice in one file: the first is kept, the repeat reported
        as a duplicate of the first."""
        records = [
            provider_record(),  # 1
            location_record("1-1000000001"),  # 2
            location_record("1-1000000002"),  # 3
            location_record("1-1000000001", name="Again"),  # 4
            provider_record(name="Again Ltd"),  # 5
        ]
        run = import_json(tmp_path, records)
        assert run.status == ImportStatus.DONE
        assert run.locations_created == 2
        assert Location.objects.get(cqc_location_id="1-1000000001").name == "Oak Lodge"
        assert Provider.objects.get().name == "Oak Care Ltd"
        found = problems(run)
        assert set(found) == {4, 5}
        assert "duplicate" in found[4] and "2" in found[4]
        assert "duplicate" in found[5] and "1" in found[5]
        assert run.problem_count == 2

    def test_record_numbers_run_across_a_folder(self, tmp_path):
        """In a folder, record numbers count on across the files (in name order)."""
        folder = tmp_path / "cqc"
        folder.mkdir()
        write_json(folder, [location_record("1-1000000001"), provider_record()], "1.json")
        write_json(folder, [location_record("1-1000000003"), {"x": 1}], "2.json")
        run = import_from_path(path=folder, format=JSON)
        assert run.status == ImportStatus.DONE
        assert problems(run).keys() == {4}
        assert Location.objects.count() == 2

    def test_problems_kept_with_the_council_run(self, tmp_path, council_a):
        """A council's run keeps its problems under that council."""
        path = write_json(tmp_path, [location_record("1-1000000001"), location_record("x")])
        run = import_from_path(path=path, format=JSON, council=council_a)
        problem = ImportProblem.objects.get(run=run)
        assert problem.council == council_a
        assert problem.row == 2
        assert str(problem).startswith("Row 2:")

    @pytest.mark.parametrize(
        "bad",
        [
            {"currentRatings": "Good"},
            {"currentRatings": {"overall": "Good"}},
            {"lastInspection": "2024-01-10"},
        ],
        ids=["currentRatings-string", "overall-string", "lastInspection-string"],
    )
    def test_malformed_nested_field_is_a_row_problem(self, tmp_path, bad):
        """A record with a malformed nested field is reported; the others still import."""
        records = [
            location_record("1-1000000001"),
            location_record("1-1000000002", **bad),
            location_record("1-1000000003"),
        ]
        run = import_json(tmp_path, records)
        assert run.status == ImportStatus.DONE, run.message
        assert Location.objects.count() == 2
        assert set(problems(run)) == {2}

    def test_malformed_provider_activity_is_a_row_problem(self, tmp_path):
        """A provider whose regulatedActivities holds a non-object is reported, not fatal."""
        records = [
            provider_record("1-101641361"),
            provider_record("1-101641362", regulatedActivities=["RA2"]),
            location_record("1-1000000003"),
        ]
        run = import_json(tmp_path, records)
        assert run.status == ImportStatus.DONE, run.message
        assert Location.objects.count() == 1
        assert set(problems(run)) == {2}


# === 8. Refusals ==============================================================================


class TestRefusals:
    """Requirement: a file that cannot be read at all (wrong columns, not JSON, an encoding
    other than UTF-8 or Windows-1252) is refused with a clear message and nothing written."""

    @pytest.mark.parametrize(
        "content",
        [b"this is not json", b'[{"locationId": "1-1000000001",', b"<html></html>"],
        ids=["text", "truncated", "html"],
    )
    def test_not_json(self, tmp_path, content):
        """Not JSON: refused, saying so."""
        run = import_bytes(tmp_path, content, "x.json", JSON)
        assert_refused(run, "not JSON")

    @pytest.mark.parametrize(
        "data",
        ['{"foo": [1, 2]}', "42", '"a string"', "null", '{"locations": "none"}', "true"],
        ids=["object", "number", "string", "null", "locations-not-list", "bool"],
    )
    def test_json_without_records(self, tmp_path, data):
        """JSON that holds no records shape: refused, saying what is expected."""
        run = import_json(tmp_path, data)
        assert_refused(run, "no CQC records", "locations")

    def test_utf16_json(self, tmp_path):
        """UTF-16 (with BOM) JSON: refused, naming the encoding."""
        data = json.dumps([location_record()]).encode("utf-16")
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
        run = import_bytes(tmp_path, data, "x.json", JSON)
        assert_refused(run, "UTF-16", "UTF-8 or Windows-1252")

    def test_utf16_csv(self, tmp_path):
        """UTF-16 (with BOM) directory CSV: refused, naming the encoding."""
        text = directory_csv([directory_row()]).decode("utf-8")
        run = import_bytes(tmp_path, text.encode("utf-16"), "d.csv", DIRECTORY)
        assert_refused(run, "UTF-16")

    def test_utf16_without_bom_and_utf32(self, tmp_path):
        """UTF-16 without a BOM, or UTF-32, is refused too."""
        text = json.dumps([location_record()])
        run = import_bytes(tmp_path, text.encode("utf-16-le"), "a.json", JSON)
        assert_refused(run, "UTF-8 or Windows-1252")
        run = import_bytes(tmp_path, text.encode("utf-32"), "b.json", JSON)
        assert_refused(run, "UTF-32")

    def test_bytes_invalid_in_utf8_and_cp1252_json(self, tmp_path):
        """Bytes that are neither UTF-8 nor Windows-1252: refused, naming the byte."""
        data = json.dumps([location_record(name="Oak XX Lodge")]).encode()
        data = data.replace(b"XX", b"\x81\x8d")
        run = import_bytes(tmp_path, data, "x.json", JSON)
        assert_refused(run, "encoding other than UTF-8 or Windows-1252", "0x81")

    def test_bytes_invalid_in_utf8_and_cp1252_csv(self, tmp_path):
        """The same for a directory CSV."""
        data = directory_csv([directory_row(name="Oak XX Lodge")]).replace(b"XX", b"\x81\x8d")
        run = import_bytes(tmp_path, data, "d.csv", DIRECTORY)
        assert_refused(run, "encoding other than UTF-8 or Windows-1252")

    def test_csv_lacking_directory_columns(self, tmp_path):
        """A CSV without the directory's columns: refused, naming the columns it needs."""
        data = csv_bytes([["name", "postcode"], ["Oak Lodge", "BR1 1AA"]])
        run = import_bytes(tmp_path, data, "d.csv", DIRECTORY)
        assert_refused(run, "CQC Location ID (for office use only)", "Location ID")

    def test_directory_header_too_far_down(self, tmp_path):
        """A header beyond the first ten lines is not found: refused."""
        preamble = [[f"title line {i}"] for i in range(12)]
        run = import_bytes(
            tmp_path, directory_csv([directory_row()], preamble=preamble), "d.csv", DIRECTORY
        )
        assert_refused(run, "line 5")

    def test_one_bad_file_refuses_the_folder(self, tmp_path):
        """A folder where one file is unreadable: refused, and the good file is not written."""
        folder = tmp_path / "cqc"
        folder.mkdir()
        write_json(folder, [provider_record(), location_record()], "a.json")
        (folder / "b.json").write_bytes(b"{not json")
        run = import_from_path(path=folder, format=JSON)
        assert_refused(run, "b.json", "not JSON")

    def test_folder_without_json(self, tmp_path):
        """A folder with no .json files: refused."""
        folder = tmp_path / "empty"
        folder.mkdir()
        (folder / "notes.txt").write_text("nothing")
        run = import_from_path(path=folder, format=JSON)
        assert_refused(run, "no .json files")

    def test_refusal_after_earlier_import_writes_nothing(self, tmp_path):
        """A refused file leaves an existing register exactly as it was."""
        import_json(tmp_path, [provider_record(), location_record()])
        snapshot = register_snapshot()
        run = import_bytes(tmp_path, b"not json at all", "x.json", JSON)
        run.refresh_from_db()
        assert run.status == ImportStatus.REFUSED
        assert register_snapshot() == snapshot
        assert not ImportProblem.objects.filter(run=run).exists()


# === 9. From the browser: a background task ===================================================


class TestBrowserImport:
    """Requirement: imports from the browser run as a background task with a progress bar."""

    def test_import_start_runs_the_task(
        self, council_a, officer_a, django_capture_on_commit_callbacks
    ):
        """The upload is kept, the task runs (eagerly here) after commit, the run is done
        with counts and its problems kept under the council."""
        content = json.dumps(
            [provider_record(), location_record("1-1000000001"), location_record("bad")]
        ).encode()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            run = import_start(
                council=council_a,
                actor=officer_a,
                format=JSON,
                filename="upload/locations.json",
                content=content,
            )
            assert run.status == ImportStatus.QUEUED
        assert len(callbacks) == 1

        run.refresh_from_db()
        assert run.status == ImportStatus.DONE, run.message
        assert run.council == council_a
        assert run.created_by == officer_a
        assert run.source_name == "locations.json"
        assert run.source_file.name.startswith(f"imports/{council_a.pk}/")
        with run.source_file.open("rb") as fh:
            assert fh.read() == content
        assert (run.total, run.processed, run.percent) == (2, 2, 100)
        assert run.providers_created == 1
        assert run.locations_created == 1
        assert run.ratings_added == 2
        assert run.problem_count == 1
        problem = ImportProblem.objects.get(run=run)
        assert (problem.row, problem.council) == (3, council_a)
        assert Location.objects.get().cqc_location_id == "1-1000000001"

    def test_import_start_spreadsheet_xlsx(
        self, tmp_path, council_a, officer_a, trafford_mapping, django_capture_on_commit_callbacks
    ):
        """An uploaded XLSX through the council's mapping imports the Trafford homes."""
        content = trafford_xlsx(tmp_path / "t.xlsx").read_bytes()
        with django_capture_on_commit_callbacks(execute=True):
            run = import_start(
                council=council_a,
                actor=officer_a,
                format=SPREADSHEET,
                filename="trafford.xlsx",
                content=content,
                mapping=trafford_mapping,
            )
        run.refresh_from_db()
        assert run.status == ImportStatus.DONE, run.message
        assert run.locations_created == 56
        assert run.mapping == trafford_mapping
        assert Provider.objects.get(name=STOCKDALES).locations.count() == 5

    def test_import_start_directory_csv(
        self, council_a, officer_a, django_capture_on_commit_callbacks
    ):
        """An uploaded directory CSV (Windows-1252) imports."""
        content = directory_csv([directory_row()], encoding="cp1252")
        with django_capture_on_commit_callbacks(execute=True):
            run = import_start(
                council=council_a,
                actor=officer_a,
                format=DIRECTORY,
                filename="directory.csv",
                content=content,
            )
        run.refresh_from_db()
        assert run.status == ImportStatus.DONE, run.message
        assert Location.objects.get().name == "Café Lodge"

    def test_uploaded_unreadable_file_refused(
        self, council_a, officer_a, django_capture_on_commit_callbacks
    ):
        """An uploaded file that is not JSON: the run is refused, nothing written."""
        with django_capture_on_commit_callbacks(execute=True):
            run = import_start(
                council=council_a,
                actor=officer_a,
                format=JSON,
                filename="locations.json",
                content=b"\xff\xfe{\x00",
            )
        assert_refused(run, "UTF-16")

    def test_nothing_runs_before_commit(self, council_a, officer_a):
        """The task is queued on commit: until then the run waits, and nothing is written."""
        run = import_start(
            council=council_a,
            actor=officer_a,
            format=JSON,
            filename="locations.json",
            content=json.dumps([location_record()]).encode(),
        )
        run.refresh_from_db()
        assert run.status == ImportStatus.QUEUED
        assert run.percent == 0
        assert Location.objects.count() == 0

    @pytest.mark.parametrize(
        ("format", "filename", "content", "field"),
        [
            (JSON, "locations.csv", b"[]", "file"),
            (JSON, "locations", b"[]", "file"),
            (DIRECTORY, "directory.json", b"x", "file"),
            (SPREADSHEET, "list.txt", b"x", "file"),
            (JSON, "locations.json", b"", "file"),
            ("parquet", "x.parquet", b"x", "format"),
        ],
        ids=["json-as-csv", "no-suffix", "csv-as-json", "sheet-as-txt", "empty", "format"],
    )
    def test_import_start_refuses_bad_uploads(
        self, council_a, officer_a, format, filename, content, field
    ):
        """A wrong suffix, an empty file or an unknown kind: ValidationFailed naming the
        field; no run is created."""
        with pytest.raises(ValidationFailed) as exc:
            import_start(
                council=council_a,
                actor=officer_a,
                format=format,
                filename=filename,
                content=content,
            )
        assert field in exc.value.errors
        assert not ImportRun.objects.exists()

    def test_import_start_spreadsheet_needs_mapping(self, council_a, officer_a):
        """A spreadsheet upload without a mapping: ValidationFailed naming "mapping"."""
        with pytest.raises(ValidationFailed) as exc:
            import_start(
                council=council_a,
                actor=officer_a,
                format=SPREADSHEET,
                filename="list.csv",
                content=b"name,provider\n",
            )
        assert set(exc.value.errors) == {"mapping"}
        assert not ImportRun.objects.exists()

    def test_import_start_refuses_another_councils_mapping(self, council_a, council_b, officer_a):
        """A mapping that belongs to another council: ValidationFailed naming "mapping"."""
        theirs = mapping_save(council=council_b, name="Theirs", columns=TRAFFORD_MAPPING)
        with pytest.raises(ValidationFailed) as exc:
            import_start(
                council=council_a,
                actor=officer_a,
                format=SPREADSHEET,
                filename="list.csv",
                content=b"name,provider\n",
                mapping=theirs,
            )
        assert "mapping" in exc.value.errors
        assert not ImportRun.objects.exists()


# === 9b. From the browser: the pages and the API ==============================================


class TestBrowserPages:
    """Requirement: the browser path end to end: the upload page starts the task and the
    run's page shows its progress bar and report; the API does the same."""

    def test_upload_page_runs_the_import(
        self, council_a, officer_a, signed_in, django_capture_on_commit_callbacks
    ):
        """Posting the form starts the import; its page shows 100% and the problem rows."""
        content = json.dumps([location_record("1-1000000001"), location_record("oops")])
        upload = SimpleUploadedFile("locations.json", content.encode())
        client = signed_in(officer_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/imports/", {"format": JSON, "file": upload})
        run = ImportRun.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/imports/{run.pk}/"
        run.refresh_from_db()
        assert run.status == ImportStatus.DONE, run.message
        assert run.council == council_a
        assert Location.objects.get().cqc_location_id == "1-1000000001"

        page = client.get(f"/imports/{run.pk}/").content.decode()
        assert "Done" in page and 'role="progressbar"' not in page  # finished: a summary
        assert "Records read" in page
        assert "Rows not imported (1)" in page
        assert "oops" in page

    def test_upload_page_names_the_bad_field(self, officer_a, signed_in):
        """A wrong suffix comes back on the form, and no run is created."""
        upload = SimpleUploadedFile("locations.txt", b"[]")
        response = signed_in(officer_a).post("/imports/", {"format": JSON, "file": upload})
        assert response.status_code == 200
        assert "The file must be .json or .jsonl" in response.content.decode()
        assert not ImportRun.objects.exists()

    def test_api_start_and_report(
        self, council_a, officer_a, api_as, django_capture_on_commit_callbacks
    ):
        """POST /api/v1/imports/ starts the import (202); its problems are listed."""
        content = json.dumps([provider_record(), location_record(), {"nothing": 1}]).encode()
        client = api_as(officer_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/imports/",
                {"format": JSON, "file": SimpleUploadedFile("l.json", content)},
                format="multipart",
            )
        assert response.status_code == 202, response.content
        run = ImportRun.objects.get(pk=response.json()["id"])
        assert run.status == ImportStatus.DONE
        assert (run.locations_created, run.providers_created, run.problem_count) == (1, 1, 1)
        detail = client.get(f"/api/v1/imports/{run.pk}/").json()
        assert (detail["status"], detail["percent"]) == ("done", 100)
        listed = client.get(f"/api/v1/imports/{run.pk}/problems/").json()
        assert [(p["row"], "locationId" in p["reason"]) for p in listed["results"]] == [(3, True)]


# === 10. The management command ===============================================================


class TestCommand:
    """Requirement: manage.py import_cqc, with progress on the terminal."""

    def test_progress_and_summary(self, tmp_path):
        """A JSON file: progress lines ("records (") and the summary ("Done:")."""
        path = write_json(tmp_path, [provider_record(), location_record()])
        out = io.StringIO()
        call_command("import_cqc", str(path), stdout=out)
        text = out.getvalue()
        assert "Read 2 records (0 with problems)." in text
        assert "2/2 records (100%)" in text
        assert "Done:" in text
        assert "1 locations added" in text
        run = ImportRun.objects.get()
        assert run.council is None
        assert run.status == ImportStatus.DONE
        assert Location.objects.count() == 1

    def test_progress_in_batches(self, tmp_path, monkeypatch):
        """A large import reports progress after each batch, and the run's processed count
        follows (the browser's progress bar)."""
        monkeypatch.setattr("providers.importing.loader.BATCH_SIZE", 50)
        providers, locations = synthetic.records(200, seed=5)
        path = write_json(tmp_path, providers + locations)
        out = io.StringIO()
        call_command("import_cqc", str(path), stdout=out)
        lines = [line.strip() for line in out.getvalue().splitlines() if "records (" in line]
        assert lines == [
            "Read 240 records (0 with problems).",
            "90/240 records (37%)",
            "140/240 records (58%)",
            "190/240 records (79%)",
            "240/240 records (100%)",
        ]
        run = ImportRun.objects.get()
        assert (run.processed, run.total, run.locations_created) == (240, 240, 200)

    def test_folder(self, tmp_path):
        """A folder imports as CQC JSON without --format."""
        folder = tmp_path / "cqc"
        folder.mkdir()
        write_json(folder, [location_record("1-1000000001")], "a.json")
        write_json(folder, [location_record("1-1000000002")], "b.json")
        out = io.StringIO()
        call_command("import_cqc", str(folder), stdout=out)
        assert "Done:" in out.getvalue()
        assert Location.objects.count() == 2

    def test_directory_csv_by_suffix(self, tmp_path):
        """A .csv is read as the CQC directory."""
        path = tmp_path / "directory.csv"
        path.write_bytes(directory_csv([directory_row()]))
        call_command("import_cqc", str(path), stdout=io.StringIO())
        assert ImportRun.objects.get().format == DIRECTORY
        assert Location.objects.get().name == "Café Lodge"

    def test_problems_listed(self, tmp_path):
        """Rows with problems are listed on the terminal with their numbers."""
        path = write_json(tmp_path, [location_record("1-1000000001"), location_record("nope")])
        out = io.StringIO()
        call_command("import_cqc", str(path), stdout=out)
        text = out.getvalue()
        assert "row 2 nope:" in text
        assert "1 rows with problems" in text

    def test_spreadsheet_with_council_and_mapping(self, trafford_mapping, council_a):
        """--council and --mapping import the Trafford spreadsheet."""
        out = io.StringIO()
        call_command(
            "import_cqc",
            str(TRAFFORD_FILE),
            "--council",
            council_a.code,
            "--mapping",
            trafford_mapping.name,
            stdout=out,
        )
        assert "56 locations added" in out.getvalue()
        run = ImportRun.objects.get()
        assert (run.format, run.council, run.mapping) == (SPREADSHEET, council_a, trafford_mapping)
        assert Provider.objects.get(name=STOCKDALES).locations.count() == 5

    def test_refused_file_raises_command_error(self, tmp_path):
        """A refused file: CommandError with the reason, nothing written."""
        path = tmp_path / "bad.json"
        path.write_bytes(b"not json")
        with pytest.raises(CommandError, match="not JSON"):
            call_command("import_cqc", str(path), stdout=io.StringIO())
        assert ImportRun.objects.get().status == ImportStatus.REFUSED
        assert register_counts() == EMPTY_REGISTER

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["missing.json"], "does not exist"),
            (["list.xlsx"], "--format"),
            (["list.xlsx", "--council", "nowhere"], "No council"),
            (["list.xlsx", "--mapping", "X"], "--mapping needs --council"),
            (["list.xlsx", "--council", "bromley", "--mapping", "X"], "no column mapping"),
        ],
        ids=["missing", "no-format", "no-council", "mapping-alone", "no-mapping"],
    )
    def test_bad_arguments(self, tmp_path, council_a, args, message):
        """Bad arguments are CommandErrors and start no import."""
        (tmp_path / "list.xlsx").write_bytes(b"PK\x03\x04")
        path, *rest = args
        with pytest.raises(CommandError, match=message):
            call_command("import_cqc", str(tmp_path / path), *rest, stdout=io.StringIO())
        assert not ImportRun.objects.exists()


# === 11. Running a run twice ==================================================================


class TestExecuteTwice:
    """Requirement (robustness of the background task): import_execute on a finished run
    is safe."""

    def test_second_call_returns_without_rerunning(self, tmp_path):
        """A finished run is left alone: no new problems, counts or register rows."""
        path = write_json(tmp_path, [provider_record(), location_record(), location_record("x")])
        run = import_from_path(path=path, format=JSON)
        assert run.status == ImportStatus.DONE
        snapshot = register_snapshot()
        before = ImportRun.objects.values().get(pk=run.pk)

        again = import_execute(run_id=run.pk, path=path)

        assert again.pk == run.pk
        assert again.status == ImportStatus.DONE
        assert ImportRun.objects.values().get(pk=run.pk) == before
        assert ImportProblem.objects.filter(run=run).count() == 1
        assert register_snapshot() == snapshot

    def test_task_redelivered_after_finish(
        self, council_a, officer_a, django_capture_on_commit_callbacks
    ):
        """The task run again for an uploaded run (a redelivered message) changes nothing."""
        from providers.tasks import import_run_task

        with django_capture_on_commit_callbacks(execute=True):
            run = import_start(
                council=council_a,
                actor=officer_a,
                format=JSON,
                filename="l.json",
                content=json.dumps([location_record(), location_record("bad")]).encode(),
            )
        run.refresh_from_db()
        finished_at = run.finished_at
        snapshot = register_snapshot()

        assert import_run_task(run.pk) == ImportStatus.DONE
        run.refresh_from_db()
        assert run.finished_at == finished_at
        assert ImportProblem.objects.filter(run=run).count() == 1
        assert register_snapshot() == snapshot

    def test_refused_run_not_retried(self, tmp_path):
        """A refused run stays refused when executed again (even with a good file)."""
        bad = tmp_path / "bad.json"
        bad.write_bytes(b"nope")
        run = import_from_path(path=bad, format=JSON)
        assert run.status == ImportStatus.REFUSED
        good = write_json(tmp_path, [location_record()])
        again = import_execute(run_id=run.pk, path=good)
        assert again.status == ImportStatus.REFUSED
        assert register_counts() == EMPTY_REGISTER


class TestOfstedList:
    """Requirement: regulator ratings come from CQC "and Ofsted for children's services";
    000 1.i: children's placements are judged by their Ofsted rating."""

    def test_a_childrens_services_list_imports_ofsted_ratings(self, tmp_path, council_a):
        mapping = mapping_save(
            council=council_a,
            name="Children's homes",
            columns={
                "name": "Home",
                "provider_name": "Operator",
                "postcode": "Postcode",
                "overall_rating": "Ofsted judgement",
                "rating_date": "Inspected",
            },
            options={"regulator": "Ofsted"},
        )
        path = tmp_path / "childrens.csv"
        path.write_text(
            "Home,Operator,Postcode,Ofsted judgement,Inspected\n"
            "Rowan House,Kids First Ltd,BR1 3AA,Good,12/05/2025\n"
            "Semi-independent flat,Step Up CIC,BR2 7ZZ,,\n"
        )
        run = import_from_path(path=path, format="spreadsheet", council=council_a, mapping=mapping)
        assert run.status == "done", run.message
        rowan = Location.objects.get(name="Rowan House")
        assert rowan.regulator == "Ofsted" and rowan.cqc_location_id is None
        assert list(rowan.ratings.values_list("regulator", "overall")) == [("Ofsted", "Good")]
        assert rowan.overall_rating == "Good"

    def test_an_unknown_regulator_option_is_refused(self, council_a):
        with pytest.raises(ValidationFailed) as caught:
            mapping_save(
                council=council_a,
                name="x",
                columns={"name": "A", "provider_name": "B"},
                options={"regulator": "Estyn"},
            )
        assert "options.regulator" in caught.value.errors

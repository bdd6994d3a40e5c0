"""Builders of CQC records and files, and reads of the register, shared by the importer tests."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl

from providers.demo import TRAFFORD_FILE
from providers.models import (
    ImportFormat,
    ImportProblem,
    ImportRun,
    ImportStatus,
    Location,
    Provider,
    Rating,
    RatingChange,
)
from providers.services import import_from_path

JSON = ImportFormat.CQC_JSON
DIRECTORY = ImportFormat.CQC_CSV
SPREADSHEET = ImportFormat.SPREADSHEET
STOCKDALES = "Stockdales Of Sale, Altrincham & District Ltd"


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

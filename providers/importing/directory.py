"""CQC's care directory (CSV or XLSX, with or without ratings): its rows as records."""

from providers.importing.readers import ReadResult, find_header, table_rows
from providers.importing.records import (
    FileRefused,
    LocationRecord,
    Problem,
    RatingRecord,
    RowProblem,
    check_location_id,
    check_provider_id,
    clean,
    format_postcode,
    parse_date,
    parse_int,
    parse_rating,
    parse_yes_no,
)

DIRECTORY_REQUIRED = {"Name", "CQC Location ID (for office use only)"}
RATINGS_REQUIRED = {"Location ID", "Location Name", "Provider ID"}
CARE_HOME_SERVICE_TYPES = {
    "nursing homes",
    "residential homes",
    "care home service with nursing",
    "care home service without nursing",
}


def split_types(value: str, separator: str) -> list[tuple[str, str]]:
    return [(t.strip(), "") for t in clean(value).split(separator) if t.strip()]


def is_care_home(types: list[tuple[str, str]]) -> bool | None:
    if not types:
        return None
    return any(t.lower() in CARE_HOME_SERVICE_TYPES for t, _ in types)


def read_cqc_directory(data: bytes, name: str) -> ReadResult:
    """CQC's care directory CSV (4 lines before the header), or the "with ratings" variant."""
    rows = table_rows(data, name)
    try:
        index, headings = find_header(rows, DIRECTORY_REQUIRED, 10, name, 5)
        variant = "directory"
    except FileRefused:
        try:
            index, headings = find_header(rows, RATINGS_REQUIRED, 10, name, 5)
            variant = "ratings"
        except FileRefused:
            raise FileRefused(
                f"{name} is not a CQC care directory file: its header (expected on line 5, "
                "after 4 lines of title) needs the columns Name and CQC Location ID (for "
                "office use only), or, for the directory with ratings, Location ID, Location "
                "Name and Provider ID."
            ) from None
    col = {h: i for i, h in enumerate(headings) if h}
    result = ReadResult()
    for line, cells in rows[index + 1 :]:
        if not any(clean(c) for c in cells):
            continue

        def get(heading, cells=cells):
            i = col.get(heading)
            return cells[i] if i is not None and i < len(cells) else ""

        try:
            if variant == "directory":
                record = _directory_row(get, line)
            else:
                record = _ratings_row(get, line)
            result.locations.append(record)
        except RowProblem as exc:
            ident = clean(get("CQC Location ID (for office use only)") or get("Location ID"))
            result.problems.append(Problem(row=line, reason=str(exc), identifier=ident[:100]))
    return result


def _directory_row(get, line: int) -> LocationRecord:
    location_id = check_location_id(get("CQC Location ID (for office use only)"))
    name = clean(get("Name"))
    if not name:
        raise RowProblem("the row has no Name")
    types = split_types(get("Service types"), "|")
    fields = {
        "name": name,
        "address_line1": clean(get("Address")),
        "postcode": format_postcode(clean(get("Postcode"))),
        "phone": clean(get("Phone number")),
        "website": clean(get("Service's website (if available)"))[:300],
        "local_authority": clean(get("Local authority")),
        "last_inspection_date": parse_date(get("Date of latest check"), "Date of latest check"),
        "care_home": is_care_home(types),
    }
    return LocationRecord(
        row=line,
        cqc_location_id=location_id,
        provider_name=clean(get("Provider name")) or None,
        fields={k: v for k, v in fields.items() if v not in ("", None)} | {"name": name},
        service_types=types or None,
    )


def _ratings_row(get, line: int) -> LocationRecord:
    location_id = check_location_id(get("Location ID"))
    name = clean(get("Location Name"))
    if not name:
        raise RowProblem("the row has no Location Name")
    fields = {
        "name": name,
        "address_line1": clean(get("Location Street Address")),
        "town": clean(get("Location City")),
        "postcode": format_postcode(clean(get("Location Postal Code"))),
        "local_authority": clean(get("Location Local Authority")),
        "region": clean(get("Location Region")),
        "care_home": parse_yes_no(get("Care home?"), "Care home?"),
        "beds": parse_int(get("Care homes beds"), "Care homes beds"),
    }
    ratings = []
    overall = parse_rating(get("Location Latest Overall Rating"), "Location Latest Overall Rating")
    published = parse_date(get("Publication Date"), "Publication Date")
    if overall and published and overall != "No published rating":
        ratings.append(RatingRecord(report_date=published, overall=overall))
    return LocationRecord(
        row=line,
        cqc_location_id=location_id,
        cqc_provider_id=check_provider_id(get("Provider ID")),
        provider_name=clean(get("Provider Name")) or None,
        fields={k: v for k, v in fields.items() if v not in ("", None)},
        ratings=ratings,
    )

"""A council's own spreadsheet (CSV or XLSX) read through its saved column mapping."""

import re

from providers.importing.directory import is_care_home, split_types
from providers.importing.readers import ReadResult, table_rows
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
    parse_float,
    parse_int,
    parse_rating,
    parse_yes_no,
)

# --- A council's own spreadsheet, through a saved column mapping -----------------------------

MAPPABLE_FIELDS = {
    "cqc_location_id": "CQC location ID",
    "cqc_provider_id": "CQC provider ID",
    "provider_name": "Provider name",
    "name": "Location name",
    "address_line1": "Address",
    "address_line2": "Address line 2",
    "town": "Town",
    "county": "County",
    "postcode": "Postcode",
    "local_authority": "Local authority",
    "region": "Region",
    "service_types": "Service types",
    "care_home": "Care home (Y/N)",
    "beds": "Beds",
    "phone": "Telephone",
    "website": "Website",
    "last_inspection_date": "Date of last inspection",
    "registration_date": "Registration date",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "overall_rating": "Overall rating",
    "rating_date": "Rating date",
    "contact_name": "Contact name",
    "contact_phone": "Contact telephone",
    "contact_email": "Contact email",
    "contract_reference": "Contract reference",
}
REQUIRED_MAPPED = ("name", "provider_name")
DEFAULT_OPTIONS = {
    "header_row": 1,
    "service_type_separator": "|",
    "null_values": ["", "NA", "N/A", "n/a", "-", "null", "NULL"],
    # Who rates these services: Ofsted for a children's services list (000 1.i).
    "regulator": "CQC",
}


def mapping_problems(columns: dict, options: dict) -> dict[str, list[str]]:
    """What is wrong with a mapping, by field (empty when it is usable)."""
    errors: dict[str, list[str]] = {}
    for key in columns:
        if key not in MAPPABLE_FIELDS:
            errors.setdefault(f"columns.{key}", []).append("is not a field the register keeps")
    for key in REQUIRED_MAPPED:
        if not clean(columns.get(key)):
            errors.setdefault(f"columns.{key}", []).append(
                f"{MAPPABLE_FIELDS[key]} must be mapped to a column"
            )
    header_row = options.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        errors["options.header_row"] = ["must be a whole number, 1 or more"]
    separator = options.get("service_type_separator", "|")
    if not isinstance(separator, str) or not separator:
        errors["options.service_type_separator"] = ["must be one or more characters"]
    nulls = options.get("null_values", [])
    if not isinstance(nulls, list) or not all(isinstance(v, str) for v in nulls):
        errors["options.null_values"] = ["must be a list of texts"]
    if options.get("regulator", "CQC") not in ("CQC", "Ofsted"):
        errors["options.regulator"] = ["must be CQC or Ofsted"]
    for key in set(options) - set(DEFAULT_OPTIONS):
        errors.setdefault(f"options.{key}", []).append("is not an option")
    return errors


def read_spreadsheet(data: bytes, name: str, columns: dict, options: dict) -> ReadResult:
    options = {**DEFAULT_OPTIONS, **(options or {})}
    rows = table_rows(data, name)
    header_index = options["header_row"] - 1
    if len(rows) <= header_index:
        raise FileRefused(f"{name} has no header row at line {options['header_row']}.")
    headings = [clean(c) for c in rows[header_index][1]]
    col = {h: i for i, h in enumerate(headings) if h}
    wanted = {f: clean(h) for f, h in columns.items() if clean(h)}
    missing = sorted({h for h in wanted.values() if h not in col})
    if missing:
        raise FileRefused(
            f"{name} does not have the columns the mapping names: {', '.join(missing)}. "
            f"Its columns are: {', '.join(h for h in headings if h)}."
        )
    nulls = {v.strip().lower() for v in options["null_values"]}
    result = ReadResult()
    for line, cells in rows[header_index + 1 :]:
        if not any(clean(c) for c in cells):
            continue
        values = {}
        for f, h in wanted.items():
            i = col[h]
            v = cells[i] if i < len(cells) else ""
            values[f] = None if clean(v).lower() in nulls else v
        try:
            result.locations.append(_mapped_row(values, line, options))
        except RowProblem as exc:
            ident = clean(values.get("cqc_location_id") or values.get("name"))
            result.problems.append(Problem(row=line, reason=str(exc), identifier=ident[:100]))
    return result


def _email(value) -> str:
    text = clean(value)
    if text and (len(text) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text)):
        raise RowProblem(f"the contact email “{text[:60]}” is not an email address")
    return text


def _mapped_row(values: dict, line: int, options: dict) -> LocationRecord:
    name = clean(values.get("name"))
    if not name:
        raise RowProblem("the row has no location name")
    provider_name = clean(values.get("provider_name"))
    location_id = (
        check_location_id(values["cqc_location_id"]) if values.get("cqc_location_id") else None
    )
    if not provider_name and not values.get("cqc_provider_id") and location_id is None:
        raise RowProblem("the row has no provider")
    types = (
        split_types(values["service_types"], options["service_type_separator"])
        if values.get("service_types")
        else None
    )
    fields = {
        "name": name,
        "address_line1": clean(values.get("address_line1")),
        "address_line2": clean(values.get("address_line2")),
        "town": clean(values.get("town")),
        "county": clean(values.get("county")),
        "postcode": format_postcode(clean(values.get("postcode"))),
        "local_authority": clean(values.get("local_authority")),
        "region": clean(values.get("region")),
        "beds": parse_int(values.get("beds"), "beds"),
        "phone": clean(values.get("phone")),
        "website": clean(values.get("website"))[:300],
        "last_inspection_date": parse_date(values.get("last_inspection_date"), "inspection date"),
        "registration_date": parse_date(values.get("registration_date"), "registration date"),
        "latitude": parse_float(values.get("latitude"), "latitude"),
        "longitude": parse_float(values.get("longitude"), "longitude"),
    }
    if "care_home" in values and values["care_home"] is not None:
        fields["care_home"] = parse_yes_no(values["care_home"], "care home")
    elif types:
        fields["care_home"] = is_care_home(types)
    if location_id is None and not fields["postcode"]:
        raise RowProblem("a location without a CQC ID needs a postcode to be told apart")
    ratings = []
    overall = parse_rating(values.get("overall_rating"), "overall rating")
    rated_on = parse_date(values.get("rating_date"), "rating date")
    if overall and overall != "No published rating":
        if rated_on is None:
            raise RowProblem("an overall rating needs its rating date")
        ratings.append(
            RatingRecord(report_date=rated_on, overall=overall, regulator=options["regulator"])
        )
    local = {
        "contact_name": clean(values.get("contact_name"))[:200],
        "contact_phone": clean(values.get("contact_phone"))[:40],
        "contact_email": _email(values.get("contact_email")),
        "contract_reference": clean(values.get("contract_reference"))[:100],
    }
    return LocationRecord(
        row=line,
        local={k: v for k, v in local.items() if v},
        regulator=options["regulator"],
        cqc_location_id=location_id,
        cqc_provider_id=check_provider_id(values.get("cqc_provider_id")),
        provider_name=provider_name or None,
        fields={k: v for k, v in fields.items() if v not in ("", None)},
        service_types=types,
        ratings=ratings,
    )

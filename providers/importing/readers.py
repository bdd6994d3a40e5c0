"""Readers: one per source format. Each returns (records, problems) or raises FileRefused."""

import codecs
import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from providers.importing.records import (
    FileRefused,
    LocationRecord,
    Problem,
    ProviderRecord,
    RatingRecord,
    RowProblem,
    check_location_id,
    check_provider_id,
    clean,
    format_postcode,
    key_question_field,
    parse_date,
    parse_float,
    parse_int,
    parse_rating,
    parse_yes_no,
)


@dataclass
class ReadResult:
    locations: list[LocationRecord] = field(default_factory=list)
    providers: list[ProviderRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.locations) + len(self.providers) + len(self.problems)


_REFUSED_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or Windows-1252; anything else is refused."""
    for bom, label in _REFUSED_BOMS.items():
        if data.startswith(bom):
            raise FileRefused(
                f"{name} is encoded as {label}; save it as UTF-8 or Windows-1252 and try again."
            )
    if b"\x00" in data[:65536]:
        raise FileRefused(
            f"{name} is not a text file in UTF-8 or Windows-1252 (it contains NUL bytes)."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"{name} is in an encoding other than UTF-8 or Windows-1252 "
            f"(byte {data[exc.start]:#04x} at position {exc.start})."
        ) from exc


# --- CQC API JSON ---------------------------------------------------------------------------


def _json_records(text: str, name: str) -> list:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as first_error:
        # JSON Lines: one record per line.
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            if len(lines) < 2:
                raise ValueError
            return [json.loads(line) for line in lines]
        except ValueError:
            raise FileRefused(
                f"{name} is not JSON: {first_error.msg} at line {first_error.lineno}, "
                f"column {first_error.colno}."
            ) from first_error
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("locations", "providers", "records"):
            if isinstance(data.get(key), list):
                return data[key]
        if "locationId" in data or "providerId" in data:
            return [data]
    raise FileRefused(
        f"{name} is JSON but holds no CQC records: expected a list of location or provider "
        "records, or an object with a 'locations' list."
    )


def _obj(value, what: str) -> dict:
    """A nested JSON object, or {} when absent; anything else is this record's problem."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RowProblem(f"{what} is not an object")
    return value


def _items(value, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RowProblem(f"{what} is not a list")
    return value


def _kq_ratings(items) -> dict:
    out = {}
    for item in _items(items, "keyQuestionRatings"):
        if not isinstance(item, dict):
            raise RowProblem("a key question rating is not an object")
        field_name = key_question_field(item.get("name", ""))
        if field_name:
            out[field_name] = parse_rating(item.get("rating"), f"{item.get('name')} rating")
    return out


def _cqc_ratings(record: dict) -> list[RatingRecord]:
    ratings: dict[tuple, RatingRecord] = {}
    current = _obj(record.get("currentRatings"), "currentRatings")
    overall = _obj(current.get("overall"), "currentRatings.overall")
    if overall.get("rating") and overall.get("reportDate"):
        r = RatingRecord(
            report_date=parse_date(overall["reportDate"], "current rating report date"),
            report_link_id=clean(overall.get("reportLinkId")),
            overall=parse_rating(overall["rating"], "overall rating"),
            **_kq_ratings(overall.get("keyQuestionRatings")),
        )
        ratings[r.key] = r
    for i, hist in enumerate(_items(record.get("historicRatings"), "historicRatings"), start=1):
        hist = _obj(hist, f"historic rating {i}")
        h_overall = _obj(hist.get("overall"), f"historic rating {i} overall")
        if not hist.get("reportDate") or not h_overall.get("rating"):
            continue
        r = RatingRecord(
            report_date=parse_date(hist["reportDate"], f"historic rating {i} report date"),
            report_link_id=clean(hist.get("reportLinkId")),
            overall=parse_rating(h_overall["rating"], f"historic rating {i}"),
            **_kq_ratings(h_overall.get("keyQuestionRatings")),
        )
        ratings.setdefault(r.key, r)
    return [r for r in ratings.values() if r.overall != "No published rating"]


def _text(value, _what):
    return clean(value)


def _postcode(value, _what):
    return format_postcode(clean(value))


def _website(value, _what):
    return clean(value)[:300]


# CQC API field -> (register field, parser). Only the keys a record has are applied: a
# record that leaves a field out does not blank it.
_CQC_LOCATION_FIELDS = {
    "postalAddressLine1": ("address_line1", _text),
    "postalAddressLine2": ("address_line2", _text),
    "postalAddressTownCity": ("town", _text),
    "postalAddressCounty": ("county", _text),
    "postalCode": ("postcode", _postcode),
    "localAuthority": ("local_authority", _text),
    "region": ("region", _text),
    "careHome": ("care_home", parse_yes_no),
    "numberOfBeds": ("beds", parse_int),
    "registrationStatus": ("registration_status", _text),
    "registrationDate": ("registration_date", parse_date),
    "deregistrationDate": ("deregistration_date", parse_date),
    "dormancy": ("dormant", parse_yes_no),
    "onspdLatitude": ("latitude", parse_float),
    "onspdLongitude": ("longitude", parse_float),
    "mainPhoneNumber": ("phone", _text),
    "website": ("website", _website),
}


def cqc_location(record: dict, row: int) -> LocationRecord:
    location_id = check_location_id(record.get("locationId"))
    provider_id = check_provider_id(record.get("providerId"))
    name = clean(record.get("name"))
    if not name:
        raise RowProblem("the location has no name")
    fields = {"name": name}
    for key, (field_name, parse) in _CQC_LOCATION_FIELDS.items():
        if key in record:
            fields[field_name] = parse(record[key], key)
    if "lastInspection" in record:
        fields["last_inspection_date"] = parse_date(
            _obj(record["lastInspection"], "lastInspection").get("date"), "lastInspection.date"
        )
    service_types = None
    if "gacServiceTypes" in record:
        service_types = [
            (clean(item["name"]), clean(item.get("description")))
            for item in _items(record.get("gacServiceTypes"), "gacServiceTypes")
            if isinstance(item, dict) and clean(item.get("name"))
        ]
    return LocationRecord(
        row=row,
        cqc_location_id=location_id,
        cqc_provider_id=provider_id,
        provider_name=clean(record.get("providerName")) or None,
        fields=fields,
        service_types=service_types,
        ratings=_cqc_ratings(record),
    )


def _nominated_individual(record: dict) -> str:
    for i, activity in enumerate(_items(record.get("regulatedActivities"), "regulatedActivities")):
        activity = _obj(activity, f"regulatedActivities[{i}]")
        person = _obj(
            activity.get("nominatedIndividual"), f"regulatedActivities[{i}].nominatedIndividual"
        )
        name = " ".join(
            clean(person.get(k)) for k in ("personTitle", "personGivenName", "personFamilyName")
        ).strip()
        if name:
            return " ".join(name.split())
    return ""


def cqc_provider(record: dict, row: int) -> ProviderRecord:
    provider_id = check_provider_id(record.get("providerId"))
    if provider_id is None:
        raise RowProblem("the provider has no providerId")
    name = clean(record.get("name"))
    if not name:
        raise RowProblem("the provider has no name")
    address = ", ".join(
        clean(record.get(k))
        for k in ("postalAddressLine1", "postalAddressLine2", "postalAddressTownCity")
        if clean(record.get(k))
    )
    return ProviderRecord(
        row=row,
        cqc_provider_id=provider_id,
        fields={
            "name": name,
            "companies_house_number": clean(record.get("companiesHouseNumber")),
            "charity_number": clean(record.get("charityNumber")),
            "ownership_type": clean(record.get("ownershipType")),
            "nominated_individual": _nominated_individual(record),
            "registration_status": clean(record.get("registrationStatus")),
            "phone": clean(record.get("mainPhoneNumber")),
            "website": clean(record.get("website"))[:300],
            "address": address[:400],
            "postcode": format_postcode(clean(record.get("postalCode"))),
        },
    )


def _json_sources(path: Path):
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".json", ".jsonl"))
        if not files:
            raise FileRefused(f"The folder {path.name} has no .json files.")
        for p in files:
            yield p.name, p.read_bytes()
    else:
        yield path.name, path.read_bytes()


def read_cqc_json(sources) -> ReadResult:
    """`sources`: (name, bytes) pairs: one file, or each file of a folder. Every file is
    parsed before anything is written, so one unreadable file refuses the import."""
    loaded = [(name, _json_records(decode(data, name), name)) for name, data in sources]
    result = ReadResult()
    row = 0
    for _name, records in loaded:
        for record in records:
            row += 1
            try:
                if not isinstance(record, dict):
                    raise RowProblem("the record is not a JSON object")
                if "locationId" in record:
                    result.locations.append(cqc_location(record, row))
                elif "providerId" in record:
                    result.providers.append(cqc_provider(record, row))
                else:
                    raise RowProblem("the record has neither locationId nor providerId")
            except RowProblem as exc:
                ident = (
                    clean(record.get("locationId") or record.get("providerId"))
                    if isinstance(record, dict)
                    else ""
                )
                result.problems.append(Problem(row=row, reason=str(exc), identifier=ident[:100]))
    return result


def read_cqc_json_path(path: Path) -> ReadResult:
    return read_cqc_json(_json_sources(path))


# --- Tabular files (CSV or XLSX) ------------------------------------------------------------


def _unzipped_size_check(data: bytes, name: str) -> None:
    """An XLSX is a zip: what it holds, unpacked, is bounded before anything is unpacked (a
    megabyte of compressed blanks once took a worker to 2.2 GB)."""
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileRefused(f"{name} could not be opened as an Excel workbook: {exc}") from exc
    if unpacked > limit:
        raise FileRefused(
            f"{name} unpacks to {unpacked / 1024 / 1024:,.0f} MB, more than the "
            f"{limit / 1024 / 1024:,.0f} MB an import may hold."
        )


def _bounded(rows, name: str):
    """At most `IMPORT_MAX_ROWS` rows: a larger file is refused, not half-read."""
    limit = settings.IMPORT_MAX_ROWS
    out = []
    for row in rows:
        out.append(row)
        if len(out) > limit:
            raise FileRefused(
                f"{name} has more than {limit:,} rows: split it, or ask for the limit to be raised."
            )
    return out


def table_rows(data: bytes, name: str):
    """(row number, list of cells) for every row of a CSV or the first sheet of an XLSX."""
    if data[:4] == b"PK\x03\x04":
        _unzipped_size_check(data, name)
        try:
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any failure means the workbook is unreadable
            raise FileRefused(f"{name} could not be opened as an Excel workbook: {exc}") from exc
        sheet = book.worksheets[0]
        try:
            rows = _bounded(
                (
                    (i, ["" if c is None else c for c in row])
                    for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
                ),
                name,
            )
        finally:
            book.close()
        return rows
    text = decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _bounded(((reader.line_num, row) for row in reader), name)
    except csv.Error as exc:
        raise FileRefused(f"{name} is not a readable CSV file: {exc}") from exc


def find_header(rows, required: set[str], search_lines: int, name: str, expected_at: int):
    for index, (_line, cells) in enumerate(rows[:search_lines]):
        headings = [clean(c) for c in cells]
        if required <= set(headings):
            return index, headings
    missing = ", ".join(sorted(required))
    raise FileRefused(
        f"{name} does not have the expected columns: it needs {missing} "
        f"(the header is expected on line {expected_at})."
    )

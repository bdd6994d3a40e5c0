"""Bad records are reported by row while good ones import; unreadable files are refused whole."""

import json

import pytest

from providers.models import ImportProblem, ImportStatus, Location, Provider
from providers.services import import_from_path, mapping_save
from tests.providers.importing.helpers import (
    DIRECTORY,
    JSON,
    assert_refused,
    csv_bytes,
    directory_csv,
    directory_row,
    import_bytes,
    import_json,
    location_record,
    problems,
    provider_record,
    register_snapshot,
    write_json,
)

pytestmark = pytest.mark.django_db


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
        """A council's run keeps its problems under that council (its spreadsheet names a
        CQC location the register does not have yet)."""
        mapping = mapping_save(
            council=council_a,
            name="Ours",
            columns={"cqc_location_id": "CQC ID", "name": "Name", "provider_name": "Provider"},
        )
        path = tmp_path / "ours.csv"
        path.write_text("CQC ID,Name,Provider\r\n1-1000000001,Oak,Oak Ltd\r\n")
        run = import_from_path(path=path, format="spreadsheet", council=council_a, mapping=mapping)
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

"""A council's own spreadsheet through a saved column mapping; Ofsted-rated children's lists."""

import datetime as dt
from pathlib import Path

import pytest

from core.errors import ValidationFailed
from providers.demo import TRAFFORD_FILE, TRAFFORD_MAPPING
from providers.importing.records import name_key
from providers.models import ColumnMapping, ImportStatus, LocalRecord, Location, Provider, Rating
from providers.services import import_from_path, mapping_save
from tests.providers.importing.helpers import (
    SPREADSHEET,
    STOCKDALES,
    assert_refused,
    csv_bytes,
    import_bytes,
    problems,
    register_snapshot,
    trafford_rows,
    trafford_xlsx,
)

pytestmark = pytest.mark.django_db


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


class TestOfstedList:
    """Requirement: regulator ratings come from CQC "and Ofsted for children's services";
    000 1.i: children's placements are judged by their Ofsted rating."""

    @staticmethod
    def _childrens_list(tmp_path, council):
        mapping = mapping_save(
            council=council,
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
        return path, mapping

    def test_a_childrens_services_list_imports_ofsted_ratings(self, tmp_path, council_a):
        """A council's own list: its homes are the council's own Ofsted-regulated services,
        and the Ofsted judgement in its sheet is the council's assessment (LocalRecord),
        never a regulator's Rating row (issue 11)."""
        path, mapping = self._childrens_list(tmp_path, council_a)
        run = import_from_path(path=path, format="spreadsheet", council=council_a, mapping=mapping)
        assert run.status == "done", run.message
        assert (run.locations_created, run.ratings_added, run.problem_count) == (2, 0, 0)
        rowan = Location.objects.get(name="Rowan House")
        assert rowan.regulator == "Ofsted" and rowan.cqc_location_id is None
        assert rowan.owner_council == council_a
        assert rowan.provider.owner_council == council_a
        assert not Rating.objects.exists()
        assert rowan.overall_rating == ""
        record = LocalRecord.objects.get(council=council_a, location=rowan)
        assert (record.assessed_rating, record.assessed_on) == ("Good", dt.date(2025, 5, 12))
        flat = Location.objects.get(name="Semi-independent flat")
        assert flat.owner_council == council_a and flat.regulator == "Ofsted"
        assert not LocalRecord.objects.filter(location=flat).exists()

    def test_a_national_childrens_services_list_imports_ofsted_ratings(self, tmp_path, council_a):
        """The same list imported nationally (from the shell, no council): Ofsted's ratings
        on the register."""
        path, mapping = self._childrens_list(tmp_path, council_a)
        run = import_from_path(path=path, format="spreadsheet", mapping=mapping)
        assert run.status == "done", run.message
        rowan = Location.objects.get(name="Rowan House")
        assert rowan.regulator == "Ofsted" and rowan.cqc_location_id is None
        assert rowan.owner_council is None
        assert list(rowan.ratings.values_list("regulator", "overall")) == [("Ofsted", "Good")]
        assert rowan.overall_rating == "Good"
        assert not LocalRecord.objects.exists()

    def test_an_unknown_regulator_option_is_refused(self, council_a):
        with pytest.raises(ValidationFailed) as caught:
            mapping_save(
                council=council_a,
                name="x",
                columns={"name": "A", "provider_name": "B"},
                options={"regulator": "Estyn"},
            )
        assert "options.regulator" in caught.value.errors

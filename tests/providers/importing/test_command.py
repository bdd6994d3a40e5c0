"""manage.py import_cqc, with progress on the terminal."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from providers import synthetic
from providers.demo import TRAFFORD_FILE
from providers.models import ImportRun, ImportStatus, LocalRecord, Location, Provider
from providers.services import import_from_path
from tests.providers.importing.helpers import (
    DIRECTORY,
    EMPTY_REGISTER,
    SPREADSHEET,
    STOCKDALES,
    directory_csv,
    directory_row,
    location_record,
    provider_record,
    register_counts,
    register_snapshot,
    write_json,
)

pytestmark = pytest.mark.django_db


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
        """--council and --mapping import the council's own Trafford spreadsheet: its CQC
        IDs are not on the register yet, so every row is a problem and nothing is written;
        once the register has them (a national import, no --council), the council gets its
        record of each of the 56, and the register is not touched."""
        args = [str(TRAFFORD_FILE), "--council", council_a.code, "--mapping"]
        out = io.StringIO()
        call_command("import_cqc", *args, trafford_mapping.name, stdout=out)
        assert "56 rows with problems" in out.getvalue()
        assert "is not on the national register yet" in out.getvalue()
        run = ImportRun.objects.get()
        assert (run.format, run.council, run.mapping) == (SPREADSHEET, council_a, trafford_mapping)
        assert (run.problem_count, run.local_records) == (56, 0)
        assert register_counts() == EMPTY_REGISTER
        assert not LocalRecord.objects.exists()

        national = import_from_path(
            path=TRAFFORD_FILE, format=SPREADSHEET, mapping=trafford_mapping
        )
        assert (national.council, national.locations_created) == (None, 56)
        snapshot = register_snapshot()
        out = io.StringIO()
        call_command("import_cqc", *args, trafford_mapping.name, stdout=out)
        assert "56 of your records of locations added or changed" in out.getvalue()
        run = ImportRun.objects.filter(council=council_a).first()  # the newest
        assert (run.local_records, run.locations_created, run.problem_count) == (56, 0, 0)
        assert LocalRecord.objects.filter(council=council_a).count() == 56
        assert register_snapshot() == snapshot
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

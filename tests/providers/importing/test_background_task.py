"""Imports from the browser and the API run as a background task; a finished run is not rerun."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import NotAllowed, ValidationFailed
from providers.demo import TRAFFORD_FILE, TRAFFORD_MAPPING
from providers.models import (
    ImportProblem,
    ImportRun,
    ImportStatus,
    LocalRecord,
    Location,
    Provider,
    Rating,
)
from providers.services import import_execute, import_from_path, import_start, mapping_save
from tests.factories import LocationFactory, RatingFactory, UserFactory
from tests.providers.importing.helpers import (
    DIRECTORY,
    EMPTY_REGISTER,
    JSON,
    SPREADSHEET,
    STOCKDALES,
    assert_refused,
    directory_csv,
    directory_row,
    location_record,
    provider_record,
    register_counts,
    register_snapshot,
    trafford_xlsx,
    write_json,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper():
    """A keeper of the national register: no council's role, the only one who brings in
    CQC's files (issue 11)."""
    return UserFactory(keeps_register=True)


def _sheet_mapping(council):
    """A council's mapping for a small list of its own: CQC ID, name, contacts, contract."""
    return mapping_save(
        council=council,
        name="Our list",
        columns={
            "cqc_location_id": "CQC ID",
            "name": "Home",
            "provider_name": "Operator",
            "postcode": "Postcode",
            "contract_reference": "Contract",
            "overall_rating": "Our rating",
            "rating_date": "Rated on",
        },
    )


SHEET = (
    "CQC ID,Home,Operator,Postcode,Contract,Our rating,Rated on\n"
    # A location on the national register, under the council's own name for it.
    "1-1000000001,Oak Lodge (Shortlands),Oak Care Ltd,BR1 1AA,C-17,Inadequate,01/02/2025\n"
    # A CQC ID the register has not taken from CQC yet.
    "1-1999999999,Birch House,Birch Ltd,BR1 1AB,,,\n"
    # A service outside CQC's register: the council's own.
    ",Step Up flat,Step Up CIC,BR2 7ZZ,C-18,,\n"
)


# === 9. From the browser: a background task ===================================================


class TestBrowserImport:
    """Requirement: imports from the browser run as a background task with a progress bar.
    CQC's files come in only through the national register's keepers (council=None); a
    council's upload is its own spreadsheet (issue 11)."""

    def test_import_start_runs_the_task(self, keeper, django_capture_on_commit_callbacks):
        """A keeper's upload is kept, the task runs (eagerly here) after commit, the run is
        done with counts and its problems kept, national (no council)."""
        content = json.dumps(
            [provider_record(), location_record("1-1000000001"), location_record("bad")]
        ).encode()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            run = import_start(
                council=None,
                actor=keeper,
                format=JSON,
                filename="upload/locations.json",
                content=content,
            )
            assert run.status == ImportStatus.QUEUED
        assert len(callbacks) == 1

        run.refresh_from_db()
        assert run.status == ImportStatus.DONE, run.message
        assert run.council is None
        assert run.created_by == keeper
        assert run.source_name == "locations.json"
        assert run.source_file.name.startswith("imports/national/")
        with run.source_file.open("rb") as fh:
            assert fh.read() == content
        assert (run.total, run.processed, run.percent) == (2, 2, 100)
        assert run.providers_created == 1
        assert run.locations_created == 1
        assert run.ratings_added == 2
        assert run.problem_count == 1
        problem = ImportProblem.objects.get(run=run)
        assert (problem.row, problem.council) == (3, None)
        assert Location.objects.get().cqc_location_id == "1-1000000001"

    @pytest.mark.parametrize("format", [JSON, DIRECTORY])
    def test_a_council_cannot_bring_in_cqc_files(self, council_a, officer_a, format):
        """A council officer's CQC file: NotAllowed, no run, nothing written."""
        with pytest.raises(NotAllowed):
            import_start(
                council=council_a,
                actor=officer_a,
                format=format,
                filename="locations.json" if format == JSON else "directory.csv",
                content=json.dumps([location_record()]).encode(),
            )
        assert not ImportRun.objects.exists()
        assert register_counts() == EMPTY_REGISTER

    @pytest.mark.parametrize("format", [JSON, DIRECTORY, SPREADSHEET])
    def test_a_national_import_needs_a_keeper(self, officer_a, trafford_mapping, format):
        """Without a council the import is national: a council officer may not start it."""
        with pytest.raises(NotAllowed):
            import_start(
                council=None,
                actor=officer_a,
                format=format,
                filename="locations.json" if format == JSON else "list.csv",
                content=b"x",
                mapping=trafford_mapping if format == SPREADSHEET else None,
            )
        assert not ImportRun.objects.exists()

    def test_import_start_spreadsheet_xlsx(
        self, tmp_path, council_a, officer_a, trafford_mapping, django_capture_on_commit_callbacks
    ):
        """An uploaded XLSX through the council's mapping: with the Trafford homes on the
        national register, the council gets its record of each of the 56, and the register
        is not touched."""
        national = import_from_path(
            path=TRAFFORD_FILE, format=SPREADSHEET, mapping=trafford_mapping
        )
        assert national.locations_created == 56
        snapshot = register_snapshot()
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
        assert run.problem_count == 0, run.message
        assert (run.local_records, run.locations_created, run.providers_created) == (56, 0, 0)
        assert run.message.startswith("56 of your records of locations added or changed")
        assert run.mapping == trafford_mapping
        assert LocalRecord.objects.filter(council=council_a, import_run=run).count() == 56
        assert register_snapshot() == snapshot
        assert Provider.objects.get(name=STOCKDALES).locations.count() == 5

    def test_import_start_directory_csv(self, keeper, django_capture_on_commit_callbacks):
        """A keeper's uploaded directory CSV (Windows-1252) imports."""
        content = directory_csv([directory_row()], encoding="cp1252")
        with django_capture_on_commit_callbacks(execute=True):
            run = import_start(
                council=None,
                actor=keeper,
                format=DIRECTORY,
                filename="directory.csv",
                content=content,
            )
        run.refresh_from_db()
        assert run.status == ImportStatus.DONE, run.message
        assert Location.objects.get().name == "Café Lodge"

    def test_uploaded_unreadable_file_refused(self, keeper, django_capture_on_commit_callbacks):
        """An uploaded file that is not JSON: the run is refused, nothing written."""
        with django_capture_on_commit_callbacks(execute=True):
            run = import_start(
                council=None,
                actor=keeper,
                format=JSON,
                filename="locations.json",
                content=b"\xff\xfe{\x00",
            )
        assert_refused(run, "UTF-16")

    def test_nothing_runs_before_commit(self, keeper):
        """The task is queued on commit: until then the run waits, and nothing is written."""
        run = import_start(
            council=None,
            actor=keeper,
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
        self, council_a, officer_a, keeper, format, filename, content, field
    ):
        """A wrong suffix, an empty file or an unknown kind: ValidationFailed naming the
        field; no run is created. CQC's files are the keeper's (national); the spreadsheet
        and the unknown kind a council officer's."""
        national = format in (JSON, DIRECTORY)
        with pytest.raises(ValidationFailed) as exc:
            import_start(
                council=None if national else council_a,
                actor=keeper if national else officer_a,
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


def _national_oak_lodge() -> Location:
    """Oak Lodge on the national register, rated Good by CQC."""
    oak = LocationFactory(cqc_location_id="1-1000000001", name="Oak Lodge", overall_rating="Good")
    RatingFactory(location=oak, overall="Good")
    return oak


def _assert_the_council_sheet_landed(council, run, oak, snapshot_before) -> None:
    """Oak Lodge: the council's record of it (its name, contract, its own assessment), the
    register's row and CQC's rating untouched; Birch House a problem; the flat the
    council's own."""
    assert run.status == ImportStatus.DONE, run.message
    assert run.council == council
    assert (run.local_records, run.locations_created, run.problem_count) == (2, 1, 1)
    record = LocalRecord.objects.get(council=council, location=oak)
    assert record.local_name == "Oak Lodge (Shortlands)"
    assert record.contract_reference == "C-17"
    assert record.assessed_rating == "Inadequate"
    oak.refresh_from_db()
    assert (oak.name, oak.overall_rating) == ("Oak Lodge", "Good")
    assert list(Rating.objects.values_list("location_id", "overall")) == [(oak.pk, "Good")]
    flat = Location.objects.get(name="Step Up flat")
    assert flat.owner_council == council and flat.cqc_location_id is None
    assert flat.provider.owner_council == council
    assert LocalRecord.objects.get(council=council, location=flat).contract_reference == "C-18"
    after = register_snapshot()
    assert after["ratings"] == snapshot_before["ratings"]
    assert [loc for loc in after["locations"] if loc["owner_council_id"] is None] == (
        snapshot_before["locations"]
    )
    problem = ImportProblem.objects.get(run=run)
    assert (problem.row, problem.identifier) == (3, "1-1999999999")
    assert "not on the national register yet" in problem.reason


class TestBrowserPages:
    """Requirement: the browser path end to end: the upload page starts the task and the
    run's page shows its progress bar and report; the API does the same. A council's upload
    is its own spreadsheet, and changes only its own records (issue 11)."""

    def test_upload_page_runs_the_import(
        self, council_a, officer_a, signed_in, django_capture_on_commit_callbacks
    ):
        """Posting the form starts the import; its page shows 100%, the council's counts and
        the problem rows."""
        oak = _national_oak_lodge()
        snapshot = register_snapshot()
        mapping = _sheet_mapping(council_a)
        upload = SimpleUploadedFile("our-list.csv", SHEET.encode())
        client = signed_in(officer_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/imports/", {"mapping": mapping.pk, "file": upload})
        run = ImportRun.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/imports/{run.pk}/"
        run.refresh_from_db()
        assert run.format == SPREADSHEET and run.mapping == mapping
        _assert_the_council_sheet_landed(council_a, run, oak, snapshot)

        page = client.get(f"/imports/{run.pk}/").content.decode()
        assert "Done" in page and 'role="progressbar"' not in page  # finished: a summary
        assert "Records read" in page
        assert "Your records of locations added or changed" in page
        assert "Rating changes" not in page
        assert "Rows not imported (1)" in page
        assert "1-1999999999" in page

    def test_upload_page_names_the_bad_field(self, council_a, officer_a, signed_in):
        """A wrong suffix comes back on the form, and no run is created."""
        mapping = _sheet_mapping(council_a)
        upload = SimpleUploadedFile("locations.txt", b"[]")
        response = signed_in(officer_a).post("/imports/", {"mapping": mapping.pk, "file": upload})
        assert response.status_code == 200
        assert "The file must be .csv or .xlsx" in response.content.decode()
        assert not ImportRun.objects.exists()

    def test_api_start_and_report(
        self, council_a, officer_a, api_as, django_capture_on_commit_callbacks
    ):
        """POST /api/v1/imports/ starts the council's spreadsheet import (202, a spreadsheet
        by default); its problems are listed. A CQC file is 403, and starts nothing."""
        oak = _national_oak_lodge()
        snapshot = register_snapshot()
        mapping = _sheet_mapping(council_a)
        client = api_as(officer_a)
        refused = client.post(
            "/api/v1/imports/",
            {
                "format": JSON,
                "file": SimpleUploadedFile("l.json", json.dumps([location_record()]).encode()),
            },
            format="multipart",
        )
        assert refused.status_code == 403, refused.content
        assert not ImportRun.objects.exists()

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/imports/",
                {"mapping": mapping.pk, "file": SimpleUploadedFile("l.csv", SHEET.encode())},
                format="multipart",
            )
        assert response.status_code == 202, response.content
        assert response.json()["format"] == SPREADSHEET
        run = ImportRun.objects.get(pk=response.json()["id"])
        _assert_the_council_sheet_landed(council_a, run, oak, snapshot)
        detail = client.get(f"/api/v1/imports/{run.pk}/").json()
        assert (detail["status"], detail["percent"]) == ("done", 100)
        listed = client.get(f"/api/v1/imports/{run.pk}/problems/").json()
        assert [(p["row"], p["identifier"]) for p in listed["results"]] == [(3, "1-1999999999")]


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

    def test_task_redelivered_after_finish(self, keeper, django_capture_on_commit_callbacks):
        """The task run again for an uploaded run (a redelivered message) changes nothing."""
        from providers.tasks import import_run_task

        with django_capture_on_commit_callbacks(execute=True):
            run = import_start(
                council=None,
                actor=keeper,
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

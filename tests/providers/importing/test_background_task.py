"""Imports from the browser and the API run as a background task; a finished run is not rerun."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ValidationFailed
from providers.demo import TRAFFORD_MAPPING
from providers.models import ImportProblem, ImportRun, ImportStatus, Location, Provider
from providers.services import import_execute, import_from_path, import_start, mapping_save
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

"""Writes for the register: imports (started from the shell or the browser) and mappings."""

import logging
from collections.abc import Callable
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from core.audit import audit_record
from core.errors import NotAllowed, ValidationFailed
from core.tasks import later
from providers import events
from providers.importing.council import CouncilSheetLoader
from providers.importing.directory import read_cqc_directory
from providers.importing.loader import RegisterLoader
from providers.importing.readers import ReadResult, read_cqc_json, read_cqc_json_path
from providers.importing.records import FileRefused
from providers.importing.spreadsheet import mapping_problems, read_spreadsheet
from providers.models import (
    NATIONAL_FORMATS,
    ColumnMapping,
    ImportFormat,
    ImportProblem,
    ImportRun,
    ImportStatus,
)
from providers.selectors import register_caches_clear

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = {
    ImportFormat.CQC_JSON: {".json", ".jsonl"},
    ImportFormat.CQC_CSV: {".csv", ".xlsx"},
    ImportFormat.SPREADSHEET: {".csv", ".xlsx"},
}


@transaction.atomic
def mapping_save(
    *, council, name: str, columns: dict, options: dict | None = None, actor=None
) -> ColumnMapping:
    """Create or replace a council's named column mapping."""
    options = options or {}
    errors = mapping_problems(columns, options)
    if not name.strip():
        errors["name"] = ["Enter a name for the mapping."]
    if errors:
        raise ValidationFailed("The column mapping could not be saved.", errors=errors)
    mapping, created = ColumnMapping.objects.update_or_create(
        council=council,
        name=name.strip(),
        defaults={
            "columns": columns,
            "options": options,
            "created_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit_record(
        council=council,
        actor=actor,
        action="mapping.saved",
        summary=f"Column mapping “{mapping.name}” {'created' if created else 'changed'}",
        obj=mapping,
        data={"columns": columns, "options": options},
    )
    return mapping


def import_start(
    *,
    council,
    actor,
    format: str,
    filename: str,
    content: bytes,
    mapping: ColumnMapping | None = None,
) -> ImportRun:
    """Keep the uploaded file and queue the import; the worker does the rest.

    With a council, the file is that council's spreadsheet and changes only its own records;
    without one (`council=None`), the national register's keeper brings in CQC's files, the
    only files that change the register (issue 11, finding 1)."""
    if council is None and not actor.has_perm("providers.keep_register"):
        raise NotAllowed("Only the national register's keepers bring in CQC's files.")
    if council is not None and format in NATIONAL_FORMATS:
        raise NotAllowed(
            "A council's import changes only its own records: CQC's files come to the national "
            "register through its keepers and the sync with CQC."
        )
    errors = {}
    if format not in ImportFormat.values or format == ImportFormat.CQC_API:
        errors["format"] = ["Choose the kind of file."]
    elif Path(filename).suffix.lower() not in UPLOAD_SUFFIXES[format]:
        allowed = " or ".join(sorted(UPLOAD_SUFFIXES[format]))
        errors["file"] = [f"The file must be {allowed} for this kind of import."]
    if not content:
        errors["file"] = ["The file is empty."]
    if format == ImportFormat.SPREADSHEET and mapping is None:
        errors["mapping"] = ["Choose the column mapping for this spreadsheet."]
    if mapping is not None and council is not None and mapping.council_id != council.pk:
        errors["mapping"] = ["Choose one of your council's column mappings."]
    if errors:
        raise ValidationFailed("The import could not be started.", errors=errors)
    with transaction.atomic():
        run = ImportRun(
            council=council,
            format=format,
            mapping=mapping,
            source_name=Path(filename).name[:300],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        run.source_file.save(Path(filename).name, ContentFile(content), save=False)
        run.save()
        audit_record(
            council=council,
            actor=actor,
            action="import.started" if council is not None else "register.import_started",
            summary=f"Import of {run.source_name} ({run.get_format_display()}) queued",
            obj=run,
        )
        later(import_run_task, run.pk)
    return run


def _read(run: ImportRun, path: Path | None) -> ReadResult:
    if run.format == ImportFormat.CQC_JSON:
        if path is not None:
            return read_cqc_json_path(path)
        with run.source_file.open("rb") as fh:
            return read_cqc_json([(run.source_name, fh.read())])
    data = path.read_bytes() if path is not None else run.source_file.open("rb").read()
    if run.format == ImportFormat.CQC_CSV:
        return read_cqc_directory(data, run.source_name)
    if run.mapping is None:
        raise FileRefused("A spreadsheet import needs a column mapping.")
    return read_spreadsheet(data, run.source_name, run.mapping.columns, run.mapping.options)


def import_execute(
    *, run_id: int, path: Path | None = None, echo: Callable[[str], None] | None = None
) -> ImportRun:
    """Run one import. Safe to call twice: a finished run is left alone, and applying the same
    records again changes nothing."""
    with scopes_disabled():
        run = ImportRun.objects.select_related("mapping", "council").get(pk=run_id)
        if run.finished:
            return run
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.RUNNING, started_at=timezone.now()
        )
        try:
            result = _read(run, path)
        except FileRefused as exc:
            return import_finish(run, ImportStatus.REFUSED, str(exc), echo)
        except Exception as exc:
            log.exception("import %s could not be read", run.pk)
            return import_finish(run, ImportStatus.FAILED, f"The import failed: {exc}", echo)

        total = len(result.locations) + len(result.providers)
        ImportRun.objects.filter(pk=run.pk).update(total=total)
        if echo:
            echo(f"Read {total} records ({len(result.problems)} with problems).")
        own = run.council_id is not None and run.format == ImportFormat.SPREADSHEET
        loader = (
            CouncilSheetLoader(run=run, council=run.council) if own else RegisterLoader(run=run)
        )
        try:
            done_providers = 0
            if not own:
                loader.apply_providers(result.providers)
                done_providers = len(result.providers)

            def progress(done: int) -> None:
                processed = done_providers + done
                ImportRun.objects.filter(pk=run.pk).update(processed=processed)
                if echo:
                    echo(f"  {processed}/{total} records ({100 * processed // max(total, 1)}%)")

            if own:
                loader.apply(result.locations, progress)
            else:
                loader.apply_locations(result.locations, progress)
        except Exception as exc:
            log.exception("import %s failed", run.pk)
            return import_finish(run, ImportStatus.FAILED, f"The import failed: {exc}", echo)

        problems = result.problems + loader.counts.problems
        kept = sorted(problems, key=lambda p: p.row)[: settings.IMPORT_MAX_PROBLEMS_KEPT]
        ImportProblem.objects.bulk_create(
            [
                ImportProblem(
                    run=run,
                    council=run.council,
                    row=p.row,
                    identifier=p.identifier,
                    reason=p.reason[:500],
                )
                for p in kept
            ],
            batch_size=2000,
        )
        c = loader.counts
        ImportRun.objects.filter(pk=run.pk).update(
            processed=total,
            **c.as_fields(),
            local_records=getattr(loader, "local_records", 0),
            problem_count=len(problems),
        )
        if own:
            message = (
                f"{loader.local_records} of your records of locations added or changed; "
                f"{c.locations_created} of your own services added, {c.locations_updated} "
                f"changed; {c.unchanged} unchanged; {len(problems)} rows with problems"
            )
        else:
            message = (
                f"{c.locations_created} locations added, {c.locations_updated} updated, "
                f"{c.unchanged} unchanged; {c.ratings_added} ratings added; "
                f"{c.rating_changes} rating changes; {len(problems)} rows with problems"
            )
        message += f" (the first {len(kept):,} kept)." if len(kept) < len(problems) else "."
        return import_finish(run, ImportStatus.DONE, message, echo)


def import_finish(run: ImportRun, status: str, message: str, echo) -> ImportRun:
    if status == ImportStatus.DONE:
        register_caches_clear()
    ImportRun.objects.filter(pk=run.pk).update(
        status=status, message=message, finished_at=timezone.now()
    )
    run.refresh_from_db()
    if run.rating_changes:
        # Councils' intelligence logs pick the changes up (monitoring listens).
        events.ratings_changed.publish(import_run_id=run.pk, changes=run.rating_changes)
    if run.council_id or run.format in NATIONAL_FORMATS:
        audit_record(
            council=run.council,
            actor=None,
            action=f"import.{status}" if run.council_id else f"register.import_{status}",
            summary=f"Import of {run.source_name}: {run.get_status_display().lower()}",
            obj=run,
            reason=message,
        )
    if echo:
        echo(f"{run.get_status_display()}: {message}")
    return run


def import_from_path(
    *,
    path: Path,
    format: str,
    council=None,
    mapping: ColumnMapping | None = None,
    echo: Callable[[str], None] | None = None,
) -> ImportRun:
    """The shell's import: read the file (or folder) in place and run it now. CQC's files go
    only to the national register (`council=None`)."""
    if council is not None and format in NATIONAL_FORMATS:
        raise NotAllowed("CQC's files go to the national register, not to a council's records.")
    with scopes_disabled():
        run = ImportRun.objects.create(
            council=council, format=format, mapping=mapping, source_name=Path(path).name[:300]
        )
    return import_execute(run_id=run.pk, path=path, echo=echo)


@shared_task(name="providers.import_run", acks_late=True)
def import_run_task(run_id: int) -> str:
    """The worker's side of an import: safe to run twice (a finished import is left alone)."""
    return import_execute(run_id=run_id).status

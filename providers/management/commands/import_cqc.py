from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from councils.models import Council
from providers.models import NATIONAL_FORMATS, ColumnMapping, ImportFormat, ImportStatus
from providers.services import import_from_path

SUFFIX_FORMATS = {
    ".json": ImportFormat.CQC_JSON,
    ".jsonl": ImportFormat.CQC_JSON,
    ".csv": ImportFormat.CQC_CSV,
}


class Command(BaseCommand):
    help = (
        "Import into the national register CQC API JSON (a file of records or a folder of "
        "files) or CQC's care directory CSV; or, with --council and --mapping, a council's "
        "spreadsheet into that council's own records (with --national too, a republished CQC "
        "list through that mapping into the national register)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--format", choices=ImportFormat.values, help="Default: from the file's suffix."
        )
        parser.add_argument("--council", help="Council code (needed with --mapping).")
        parser.add_argument("--mapping", help="Name of the council's saved column mapping.")
        parser.add_argument(
            "--national",
            action="store_true",
            help="The spreadsheet is CQC's data republished: it goes to the national register.",
        )

    def handle(
        self, *args, path, format=None, council=None, mapping=None, national=False, **options
    ):
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        council_obj = mapping_obj = None
        with scopes_disabled():
            if council:
                council_obj = Council.objects.filter(code=council).first()
                if council_obj is None:
                    raise CommandError(f"No council with the code {council!r}.")
            if mapping:
                if council_obj is None:
                    raise CommandError("--mapping needs --council.")
                mapping_obj = ColumnMapping.objects.filter(
                    council=council_obj, name=mapping
                ).first()
                if mapping_obj is None:
                    raise CommandError(f"{council_obj} has no column mapping named {mapping!r}.")
                format = format or ImportFormat.SPREADSHEET
        if format is None:
            format = (
                ImportFormat.CQC_JSON if path.is_dir() else SUFFIX_FORMATS.get(path.suffix.lower())
            )
            if format is None:
                raise CommandError("Give --format: the file's suffix does not say.")
        if format in NATIONAL_FORMATS and council_obj is not None:
            raise CommandError(
                "CQC's files go to the national register: leave out --council (a council's "
                "import changes only its own records)."
            )
        run = import_from_path(
            path=path,
            format=format,
            council=None if national else council_obj,
            mapping=mapping_obj,
            echo=self.stdout.write,
        )
        if run.status != ImportStatus.DONE:
            raise CommandError(run.message)
        with scopes_disabled():
            for problem in run.problems.all()[:20]:
                self.stdout.write(f"  row {problem.row} {problem.identifier}: {problem.reason}")
        if run.problem_count > 20:
            self.stdout.write(f"  … and {run.problem_count - 20} more (import {run.pk}).")

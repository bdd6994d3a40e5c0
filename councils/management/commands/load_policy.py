from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ValidationFailed
from councils.services import policy_load


class Command(BaseCommand):
    help = "Validate a council's policy pack and load it as a new immutable version."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Policy pack files (YAML).")

    def handle(self, *args, paths, **options):
        failed = False
        for path in paths:
            try:
                result = policy_load(text=path.read_text(encoding="utf-8"), source_name=path.name)
            except OSError as exc:
                raise CommandError(f"{path}: {exc}") from exc
            except ValidationFailed as exc:
                failed = True
                self.stderr.write(self.style.ERROR(f"{path}: {exc.message}"))
                for where, messages in exc.errors.items():
                    for message in messages:
                        self.stderr.write(f"  {where}: {message}")
                continue
            if result.created:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{path}: {result.council.name} policy version {result.version.number} "
                        "loaded and active."
                    )
                )
            else:
                self.stdout.write(
                    f"{path}: unchanged; {result.council.name} stays on version "
                    f"{result.version.number}."
                )
        if failed:
            raise CommandError(
                "One or more policy packs were refused; nothing was loaded from them."
            )

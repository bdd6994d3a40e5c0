from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from councils.policy import schema_text


class Command(BaseCommand):
    help = (
        "Write policies/schema.json: the pack schema composed from every app's part (for pack "
        "authors' editors). --check only says whether the file is current."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the file is stale.")

    def handle(self, *args, check=False, **options):
        path = settings.POLICY_DIR / "schema.json"
        text = schema_text()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is stale: run `manage.py policy_schema`.")
            self.stdout.write(f"{path} is current.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")

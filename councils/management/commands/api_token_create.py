from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from core.errors import ValidationFailed
from councils.models import Council
from councils.permissions import TOKEN_SCOPES
from councils.services import token_create


class Command(BaseCommand):
    help = "Create an API token for another council system. The key is shown once."

    def add_arguments(self, parser):
        parser.add_argument("council", help="Council code")
        parser.add_argument("name")
        parser.add_argument("--scope", action="append", dest="scopes", choices=sorted(TOKEN_SCOPES))

    def handle(self, *args, council, name, scopes, **options):
        council_obj = Council.objects.filter(code=council).first()
        if council_obj is None:
            raise CommandError(f"No council with the code {council!r}.")
        try:
            with scope(council=council_obj):
                token, key = token_create(council=council_obj, name=name, scopes=scopes or [])
        except ValidationFailed as exc:
            raise CommandError(f"{exc.message} {exc.errors}") from exc
        self.stdout.write(f"Token “{token.name}” for {council_obj}: {key}")

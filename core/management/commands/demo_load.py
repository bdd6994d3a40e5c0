from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo import demo_load, demo_loaded, demo_refresh


class Command(BaseCommand):
    help = "Load the demo (five councils, users, synthetic register, Trafford). Local use only."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even if already loaded.")
        parser.add_argument("--locations", type=int, default=300)

    def handle(self, *args, force=False, locations=300, **options):
        if not settings.DEMO_ALLOWED:
            raise CommandError(
                "demo_load creates users with the published demo password: it runs only "
                "with the development settings (config.settings.dev), never in production."
            )
        if not force and demo_loaded():
            demo_refresh(echo=self.stdout.write)
            self.stdout.write("Demo already loaded (use --force to load again).")
            return
        demo_load(echo=self.stdout.write, synthetic_locations=locations)

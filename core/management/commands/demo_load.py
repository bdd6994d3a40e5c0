from django.conf import settings
from django.core.management.base import BaseCommand

from core.demo import demo_load
from councils.models import User
from councils.services import policy_load


class Command(BaseCommand):
    help = "Load the demo (five councils, users, synthetic register, Trafford). Local use only."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even if already loaded.")
        parser.add_argument("--locations", type=int, default=300)

    def handle(self, *args, force=False, locations=300, **options):
        if not force and User.objects.filter(username="bromley-officer").exists():
            # The packs may have changed since: load them (identical content makes no version).
            for path in sorted(settings.POLICY_DIR.glob("*.yaml")):
                result = policy_load(text=path.read_text(encoding="utf-8"), source_name=path.name)
                if result.created:
                    self.stdout.write(f"Policy: {result.council} v{result.version.number}")
            self.stdout.write("Demo already loaded (use --force to load again).")
            return
        demo_load(echo=self.stdout.write, synthetic_locations=locations)

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from core.audit_chain import audit_seal, audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain from its start (seal what is settled first)."

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="Seal settled entries first.")

    def handle(self, *args, seal=False, **options):
        with scopes_disabled():
            if seal:
                self.stdout.write(f"Sealed {audit_seal()} entries.")
            verdict = audit_verify()
        if verdict.broken_at is not None:
            raise CommandError(f"The audit chain is broken: {verdict.problem}.")
        if verdict.unsealed_old:
            raise CommandError(
                f"{verdict.unsealed_old} entries older than an hour are not sealed: is the "
                "audit_seal task running?"
            )
        self.stdout.write(f"The audit chain holds: {verdict.sealed} entries sealed and intact.")

"""Background work for the register (discovered here; defined beside the service it runs)."""

from providers.services import import_run_task

__all__ = ["import_run_task"]

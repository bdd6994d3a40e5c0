"""Background work for the register (discovered here; defined beside the service it runs)."""

from providers.services import import_run_task
from providers.sync import register_sync_task

__all__ = ["import_run_task", "register_sync_task"]

"""Background work for monitoring. Tasks take ids and call one service."""

from celery import shared_task

from monitoring.services import rating_changes_to_intelligence


@shared_task(name="monitoring.rating_changes_sweep")
def rating_changes_sweep() -> int:
    """Rating changes into each interested council's intelligence log; idempotent."""
    return rating_changes_to_intelligence()

"""Background work for the register. Tasks take ids and call one service."""

from celery import shared_task

from providers.services import import_execute


@shared_task(name="providers.import_run", acks_late=True)
def import_run_task(run_id: int) -> str:
    return import_execute(run_id=run_id).status

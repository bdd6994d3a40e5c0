"""The timer sweep: fires every due timer once. Later issues register handlers per kind."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.models import Timer

log = logging.getLogger(__name__)
HANDLERS: dict = {}


def timer_handler(kind: str):
    """Register the function that acts when a timer of this kind falls due."""

    def register(func):
        HANDLERS[kind] = func
        return func

    return register


@shared_task(name="core.tasks.timers_sweep")
def timers_sweep(limit: int = 500) -> int:
    """Fire due timers. Each is locked, handled and marked in one transaction, so a second
    sweep running at the same time skips it and a re-run never fires it twice."""
    fired = 0
    with scopes_disabled():
        due_ids = list(
            Timer.objects.filter(
                due_at__lte=timezone.now(), fired_at__isnull=True, cancelled_at__isnull=True
            ).values_list("id", flat=True)[:limit]
        )
    for timer_id in due_ids:
        with transaction.atomic(), scopes_disabled():
            timer = (
                Timer.objects.select_for_update(skip_locked=True)
                .select_related("council")
                .filter(pk=timer_id, fired_at__isnull=True, cancelled_at__isnull=True)
                .first()
            )
            if timer is None:
                continue
            handler = HANDLERS.get(timer.kind)
            with scope(council=timer.council):
                outcome = handler(timer) if handler else "no handler for this kind"
            timer.fired_at = timezone.now()
            timer.outcome = str(outcome or "")[:500]
            timer.save(update_fields=["fired_at", "outcome"])
            fired += 1
    if fired:
        log.info("timers_sweep fired %s timers", fired)
    return fired

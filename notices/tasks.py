"""The letters' tasks: write a letter when a move or decision asks for one, send an issued
letter by email, try failed emails again, and catch up on requests a task missed."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_scopes import scope

from core.events import EVENTS
from core.letters import SOURCES
from core.tasks import CouncilTask, tenant, tenants
from notices.models import Delivery, DeliveryStatus, Letter
from notices.services import (
    delivery_send,
    hook_send,
    hooks_make,
    letter_write,
    letters_not_needed,
)
from notices.services.webhooks import hooks_due
from notices.webhooks import TYPES


@shared_task(base=CouncilTask, name="notices.letter_write", acks_late=True)
def letter_write_task(council, source: str, request_id: int) -> int | None:
    letter = letter_write(council=council, source=source, request_id=request_id)
    return letter.pk if letter else None


@shared_task(base=CouncilTask, name="notices.delivery_send", acks_late=True)
def delivery_send_task(council, delivery_id: int) -> str:
    delivery = delivery_send(delivery_id=delivery_id)
    return delivery.status if delivery else "not due"


def letter_requested(*, council_id: int, source: str, request_id: int) -> None:
    """Subscribed to `core.letters.letter_requested`: write it in a worker."""
    letter_write_task.enqueue(council_id, source, request_id)


def letter_request_met(*, council_id: int, source: str, request_id: int) -> None:
    """Subscribed to `core.letters.letter_request_met`: its draft is set aside."""
    council = tenant(council_id)
    with scope(council=council):
        letters_not_needed(council=council, source=source, request_id=request_id)


def letter_issued(*, council_id: int, letter_id: int) -> None:
    """Subscribed to `notices.letter_issued`: send its emails in a worker."""
    for delivery_id in Delivery.objects.filter(
        council_id=council_id, letter_id=letter_id, status=DeliveryStatus.QUEUED
    ).values_list("pk", flat=True):
        delivery_send_task.enqueue(council_id, delivery_id)


@shared_task(name="notices.deliveries_retry", acks_late=True)
def deliveries_retry() -> int:
    """Every few minutes: the emails whose next try has come."""
    due = 0
    for council in tenants():
        with scope(council=council):
            ids = list(
                Delivery.objects.filter(
                    council=council,
                    status__in=[DeliveryStatus.FAILED, DeliveryStatus.BOUNCED],
                    next_try_at__lte=timezone.now(),
                ).values_list("pk", flat=True)[:500]
            )
        for delivery_id in ids:
            delivery_send_task.enqueue(council.pk, delivery_id)
        due += len(ids)
    return due


@shared_task(name="notices.letters_catch_up", acks_late=True)
def letters_catch_up() -> int:
    """Hourly: any request with no letter yet (its task lost with a broker down) is written."""
    written = 0
    for council in tenants():
        with scope(council=council):
            if not council.active_policy or "letters" not in council.active_policy.content:
                continue
            for source in SOURCES.values():
                done = set(
                    Letter.objects.filter(council=council, source=source.name).values_list(
                        "source_id", flat=True
                    )
                )
                for request_id in source.pending(council=council):
                    if request_id not in done:
                        letter_write(council=council, source=source.name, request_id=request_id)
                        written += 1
    return written


@shared_task(base=CouncilTask, name="notices.hook_send", acks_late=True)
def hook_send_task(council, delivery_id: int) -> str:
    delivery = hook_send(delivery_id=delivery_id)
    return delivery.status if delivery else "not due"


@shared_task(name="notices.hooks_retry", acks_late=True)
def hooks_retry() -> int:
    """Every minute: the webhook deliveries whose next try has come (backoff, for a day)."""
    due = hooks_due(now=timezone.now())
    for council_id, delivery_id in due:
        hook_send_task.enqueue(council_id, delivery_id)
    return len(due)


def _receiver(hook_type: str):
    def receive(*, council_id: int, **arguments) -> None:
        with scope(council=tenant(council_id)):
            made = hooks_make(council_id=council_id, hook_type=hook_type, arguments=arguments)
        for delivery_id in made:
            hook_send_task.enqueue(council_id, delivery_id)

    receive.__name__ = f"webhook_{hook_type.replace('.', '_')}"
    return receive


RECEIVERS = {key: _receiver(key) for key in TYPES}


def hooks_connect() -> None:
    """Subscribe to each event a webhook may carry (by name: see notices.webhooks)."""
    for key, kind in TYPES.items():
        EVENTS[kind.event].connect(RECEIVERS[key])

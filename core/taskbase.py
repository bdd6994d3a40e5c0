"""The base of every council's task (`core.tasks` re-exports it with the periodic tasks).

`CouncilTask` (modelled on pretix's `EventTask` and `TransactionAwareTask`): a task's first
argument is its council's id; the task loads the council with scopes off and runs inside that
council's scope, so its queries see only that council's rows. `later()` queues it once the
transaction commits, and a broker that is down is logged, not raised: the change is saved and
the nightly sweeps catch what was not queued."""

from __future__ import annotations

import logging

from celery import Task
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django_scopes import scope, scopes_disabled
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

# What sending a task raises when the broker cannot be reached (Redis down, the filesystem
# transport's folder gone); a task's own failure (run eagerly in tests) is not one of them.
BROKER_DOWN = (OperationalError, ConnectionError, OSError)


def tenant(council_id: int):
    with scopes_disabled():
        return (
            apps.get_model(settings.TENANT_MODEL)
            .objects.select_related("active_policy")
            .get(pk=council_id)
        )


def tenants():
    """Every active council with a policy in force."""
    with scopes_disabled():
        return list(
            apps.get_model(settings.TENANT_MODEL)
            .objects.filter(is_active=True, active_policy__isnull=False)
            .select_related("active_policy")
        )


def later(task, *args, **kwargs) -> None:
    """Queue a task once the current transaction commits; a broker that is down is logged,
    never raised (for tasks of no one council: an import of the national register)."""

    def queue():
        try:
            task.apply_async(args, kwargs)
        except BROKER_DOWN:
            log.exception("Could not queue %s", task.name)

    transaction.on_commit(queue)


class CouncilTask(Task):
    """`@shared_task(base=CouncilTask, name=...)` on `def f(council, ...)`: callers pass the
    council's id (tasks take ids), the function gets the council, inside its scope."""

    abstract = True

    def __call__(self, council_id: int, *args, **kwargs):
        council = tenant(council_id)
        with scope(council=council):
            return super().__call__(council, *args, **kwargs)

    def enqueue(self, council_id: int, *args, **kwargs) -> None:
        """Queue now; a broker that is down is logged, never raised."""
        try:
            self.apply_async((council_id, *args), kwargs)
        except BROKER_DOWN:
            log.exception("Could not queue %s for council %s", self.name, council_id)

    def later(self, council_id: int, *args, **kwargs) -> None:
        """Queue once the current transaction commits (at once outside one)."""
        transaction.on_commit(lambda: self.enqueue(council_id, *args, **kwargs))

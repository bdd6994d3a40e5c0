"""Core's periodic tasks: the timer sweep (every minute) and the daily digest; and, for the
apps' tasks, the council base task (defined in `core.taskbase`)."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scopes_disabled

from core.audit_chain import audit_seal
from core.notify import digests_send, notifications_email  # noqa: F401  (registers it)
from core.sweep import timers_advance
from core.taskbase import BROKER_DOWN, CouncilTask, later, tenant, tenants  # noqa: F401


@shared_task(name="core.tasks.timers_sweep", acks_late=True, reject_on_worker_lost=True)
def timers_sweep(limit: int = 20000) -> int:
    """Move every running timer on whose time has come (warned, due today, fired at its
    limit), oldest first. Safe however many run at once and if redelivered after a worker
    died: each timer is changed under a row lock in the same transaction as its effect."""
    return timers_advance(limit=limit)


@shared_task(name="core.tasks.audit_seal", acks_late=True)
def audit_seal_task() -> int:
    """Every few minutes: the settled audit entries join the hash chain."""
    with scopes_disabled():
        return audit_seal()


@shared_task(name="core.tasks.digests_daily", acks_late=True)
def digests_daily() -> int:
    """Each person who chose a daily digest gets one email of what they were told."""
    return digests_send()

"""Telling people: a `Notification` per person, shown on their start page and emailed as each
person chooses (`User.notify_by`: each at once, a daily digest, or none). Telling is idempotent
by key, so a sweep or a redelivered task that runs twice tells once, and an email is marked
sent under a row lock, so two workers never send the same one.

An email carries the title and a link, never anything about a person in care: titles name
providers, cases and time limits only.

Who a person's manager is lives in the councils app, which fills `PEOPLE.managers` in its
`ready()` (core cannot read memberships)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from core.models import Notification
from core.taskbase import CouncilTask

log = logging.getLogger(__name__)

EACH, DAILY, NEVER = "each", "daily", "never"


class _People:
    def __init__(self):
        # (council, [user id or None]) -> {user id or None: [their managers' ids]}; for None
        # (a timer nobody owns), the council's managers.
        self.managers: Callable[..., dict[int | None, list[int]]] = lambda council, ids: {}


PEOPLE = _People()


def notify(
    *,
    council,
    user_ids: Iterable[int | None],
    kind: str,
    title: str,
    url: str,
    key: str,
    email: bool = True,
) -> int:
    """Tell these people, once each for `key`; their emails are queued after the commit
    (`email=False`: the caller queues one run for many)."""
    rows = [
        Notification(
            council=council, user_id=uid, kind=kind, title=title[:300], url=url[:500], key=key
        )
        for uid in sorted({u for u in user_ids if u})
    ]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if email:
        notifications_email.later(council.pk)
    return len(rows)


def notify_rows(rows: list[Notification]) -> int:
    """Many notifications at once (the sweep's batch), each once per person and key; the
    caller queues the emails."""
    rows = [n for n in rows if n.user_id]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def _link(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def _claim(qs) -> list[Notification]:
    """Mark these as emailed under a row lock (skipping rows another worker holds) and give
    them back: each is sent by one worker only. A failed send clears the mark for a retry."""
    with transaction.atomic():
        rows = list(
            qs.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "council")
            .order_by("created_at", "id")[:500]
        )
        if rows:
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                emailed_at=timezone.now()
            )
    return rows


def _unclaim(rows) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=None)


@shared_task(base=CouncilTask, name="core.notifications_email", acks_late=True)
def notifications_email(council) -> int:
    """Email at once what people who chose "each" were told, one email per item."""
    rows = _claim(
        Notification.objects.filter(
            council=council, emailed_at__isnull=True, user__notify_by=EACH
        ).exclude(user__email="")
    )
    sent = 0
    for n in rows:
        body = (
            f"{n.title}\n\nOpen it in Oversight: {_link(n.url or '/')}\n\n"
            f"You are told this as a member of {n.council}. You can choose a daily digest "
            f"instead, or no emails, on your account page: {_link('/account/')}\n"
        )
        try:
            send_mail(f"Oversight: {n.title}"[:200], body, None, [n.user.email])
            sent += 1
        except Exception:  # noqa: BLE001 - kept for the next run, never lost
            log.exception("Could not email notification %s", n.pk)
            _unclaim([n])
    return sent


def digests_send() -> int:
    """One email per person who chose a daily digest, of everything not yet emailed to them,
    across their councils."""
    User = get_user_model()
    sent = 0
    with scopes_disabled():
        people = (
            User.objects.filter(
                notify_by=DAILY,
                is_active=True,
                notifications__emailed_at__isnull=True,
            )
            .exclude(email="")
            .distinct()
        )
        for person in people:
            rows = _claim(Notification.objects.filter(user=person, emailed_at__isnull=True))
            if not rows:
                continue
            lines = [f"- {n.title} ({n.council}): {_link(n.url or '/')}" for n in rows]
            body = (
                f"What waits for you in Oversight ({len(rows)}):\n\n"
                + "\n".join(lines)
                + f"\n\nChoose how you are told on your account page: {_link('/account/')}\n"
            )
            try:
                send_mail(f"Oversight: your daily digest ({len(rows)})", body, None, [person.email])
                sent += 1
            except Exception:  # noqa: BLE001
                log.exception("Could not send the digest to user %s", person.pk)
                _unclaim(rows)
    return sent

"""Webhooks: a council admin subscribes another system's HTTPS address to event types; each
event of the council becomes a delivery per subscription, signed with HMAC-SHA256 over the
timestamp and body, sent at least once (tried again with exponential backoff for a day) and
logged. Nothing of another council is ever sent: deliveries are made only for the
subscriptions of the council the event belongs to."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from core.actors import actor_label, require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from notices.models import HookDelivery, HookStatus, Subscription
from notices.webhooks import TYPES

log = logging.getLogger(__name__)

GIVE_UP_AFTER = dt.timedelta(days=1)
TIMEOUT_S = 10
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 ... minutes after each failure, at most two hours apart."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 120))


def refused_address(host: str) -> str:
    """Why a webhook may not be sent to this host, or "": every address it resolves to must be
    public, or loopback (tests), or inside a network the settings allow
    (`WEBHOOK_ALLOWED_NETWORKS`: a council's own systems on its private network). Link-local
    and the cloud's metadata addresses never are. Checked when subscribing and again before
    each delivery (a name may come to resolve elsewhere)."""
    allowed = [ipaddress.ip_network(n) for n in settings.WEBHOOK_ALLOWED_NETWORKS]
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return ""  # not found from here: nothing to judge (its delivery fails and is retried)
    for text in found:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if address.is_loopback or any(address in net for net in allowed):
            continue
        if (
            address.is_link_local
            or address.is_private
            or address.is_reserved
            or (address.is_multicast or address.is_unspecified)
        ):
            return f"{host} is on a private or reserved network ({address}), not allowed here."
    return ""


def _check_url(url, errors: dict) -> str:
    url = (url or "").strip() if isinstance(url, str) else ""
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        errors["url"] = ["Enter the address, like https://mosaic.example.gov.uk/hooks/oversight"]
        return url
    if len(url) > 500:
        errors["url"] = ["Keep the address to 500 characters."]
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and host not in LOOPBACK:
        errors["url"] = ["Use an https:// address (plain http only to this machine, for tests)."]
    if parts.username or parts.password:
        errors["url"] = ["Leave passwords out of the address: the delivery is signed instead."]
    if "url" not in errors and (why := refused_address(host)):
        errors["url"] = [why]
    return url


@transaction.atomic
def subscription_create(
    *, council, actor, name: str, url: str, event_types: list[str]
) -> tuple[Subscription, str]:
    """A new subscription and its secret (shown once; the receiver keeps it to verify)."""
    require(actor, "notices.manage_webhooks", council, "Only a council admin adds webhooks.")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        errors["name"] = ["Name the system (up to 100 characters), for example Mosaic."]
    url = _check_url(url, errors)
    wanted = event_types if isinstance(event_types, list) else []
    if not wanted or any(t not in TYPES for t in wanted) or len(wanted) > len(TYPES):
        errors["event_types"] = ["Choose at least one kind of event from the list."]
    if errors:
        raise ValidationFailed("The webhook could not be added.", errors=errors)
    secret = secrets.token_hex(32)
    sub = Subscription.objects.create(
        council=council,
        name=name,
        url=url,
        event_types=sorted(set(wanted)),
        secret=secret,
        created_by_label=actor_label(actor),
    )
    audit_record(
        council=council,
        actor=actor,
        action="webhook.added",
        summary=f"Webhook for {name} added: {', '.join(sub.event_types)} to {url}",
        obj=sub,
    )
    return sub, secret


@transaction.atomic
def subscription_end(*, subscription: Subscription, actor) -> Subscription:
    sub = Subscription.objects.select_for_update(of=("self",)).get(pk=subscription.pk)
    require(actor, "notices.manage_webhooks", sub.council, "Only a council admin ends webhooks.")
    if not sub.is_active:
        raise Conflict("This webhook has already ended.")
    sub.is_active = False
    sub.save(update_fields=["is_active"])
    audit_record(
        council=sub.council,
        actor=actor,
        action="webhook.ended",
        summary=f"Webhook for {sub.name} ended",
        obj=sub,
    )
    return sub


def hooks_make(*, council_id: int, hook_type: str, arguments: dict) -> list[int]:
    """The deliveries of one event to the council's subscriptions to its type (ids)."""
    kind = TYPES[hook_type]
    subs = list(
        Subscription.objects.filter(council_id=council_id, is_active=True).only("pk", "event_types")
    )
    subs = [s for s in subs if hook_type in s.event_types]
    if not subs:
        return []
    event_id = uuid.uuid4()
    base = settings.SITE_URL.rstrip("/")
    payload = {
        "id": str(event_id),
        "type": hook_type,
        "occurred_at": timezone.now().isoformat(),
        "data": {f: arguments[f] for f in kind.fields},
        "url": base + kind.link.format(**arguments),
    }
    made = HookDelivery.objects.bulk_create(
        HookDelivery(
            council_id=council_id,
            subscription=s,
            event_id=event_id,
            event_type=hook_type,
            payload=payload,
            next_try_at=timezone.now(),
        )
        for s in subs
    )
    return [d.pk for d in made]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex: what `X-Oversight-Signature` carries as
    `t=<timestamp>,v1=<signature>` (a receiver recomputes it and refuses old timestamps)."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _post(sub: Subscription, delivery: HookDelivery) -> tuple[int | None, str]:
    why = refused_address(urlsplit(sub.url).hostname or "")
    if why:
        return None, f"not sent: {why}"
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    stamp = int(time.time())
    request = urllib.request.Request(
        sub.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Oversight-Webhooks/1",
            "X-Oversight-Event": delivery.event_type,
            "X-Oversight-Delivery": str(delivery.event_id),
            "X-Oversight-Signature": f"t={stamp},v1={sign(sub.secret, stamp, body)}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310
            return answer.status, answer.read(500).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(500).decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


def hook_send(*, delivery_id: int) -> HookDelivery | None:
    """Try one delivery now, once: it is claimed under a row lock so that two workers never
    send it together; a failure schedules the next try, and after a day it gives up."""
    with transaction.atomic():
        delivery = (
            HookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id, status__in=[HookStatus.PENDING, HookStatus.FAILED])
            .first()
        )
        if delivery is None:
            return None
        sub = delivery.subscription
        delivery.attempts += 1
        code, answer = (
            (None, "the webhook was ended") if not sub.is_active else _post(sub, delivery)
        )
        delivery.last_status_code, delivery.last_answer = code, answer[:500]
        now = timezone.now()
        if code is not None and 200 <= code < 300:
            delivery.status, delivery.delivered_at, delivery.next_try_at = (
                HookStatus.DELIVERED,
                now,
                None,
            )
        elif not sub.is_active or now - delivery.created_at >= GIVE_UP_AFTER:
            delivery.status, delivery.next_try_at = HookStatus.GAVE_UP, None
        else:
            delivery.status = HookStatus.FAILED
            delivery.next_try_at = now + backoff(delivery.attempts)
        delivery.save()
    return delivery


@transaction.atomic
def hook_retry(*, delivery: HookDelivery, actor) -> HookDelivery:
    """Send a failed (or given up) delivery again, now: a person asks from its log."""
    delivery = HookDelivery.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
    require(actor, "notices.manage_webhooks", delivery.council)
    if delivery.status not in (HookStatus.FAILED, HookStatus.GAVE_UP):
        raise Conflict("Only a delivery that failed is sent again.")
    delivery.status, delivery.next_try_at = HookStatus.FAILED, timezone.now()
    delivery.save(update_fields=["status", "next_try_at"])
    return delivery


def hooks_due(*, now: dt.datetime, limit: int = 500) -> list[tuple[int, int]]:
    """(council id, delivery id) of the deliveries whose next try has come, oldest first."""
    return list(
        HookDelivery.objects.filter(
            status__in=[HookStatus.PENDING, HookStatus.FAILED], next_try_at__lte=now
        )
        .order_by("next_try_at", "id")
        .values_list("council_id", "pk")[:limit]
    )

"""Health for the load balancer and the orchestrator: `/healthz` says the process answers
(no database), `/readyz` says it can serve (the database answers, and the broker when there
is one). Plain JSON, no session, never cached."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        log.warning("readyz: database: %s", exc)
        return "unavailable"


def _broker() -> str:
    if not settings.REDIS_URL:
        return "not used"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("readyz: broker: %s", exc)
        return "unavailable"


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _database(), "broker": _broker()}
    ready = all(v in ("ok", "not used") for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )

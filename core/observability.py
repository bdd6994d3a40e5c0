"""What operators read (issue 11, item 4): every request carries an id (the caller's
`X-Request-ID` when it is a sensible one, else a new one), returned in the answer and written
in every log line of the request; logs are JSON lines in production; Prometheus metrics at
`/metrics`, for the monitoring system only."""

from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import re
import secrets
import uuid

from django.conf import settings
from django.http import HttpResponseForbidden

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
SENSIBLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if SENSIBLE.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response.headers["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every log record (empty outside a request)."""

    def filter(self, record):
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and the exception."""

    def format(self, record):
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or REQUEST_ID.get(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def metrics(request):
    """Prometheus metrics: for the monitoring system, which sends `METRICS_TOKEN` as a bearer
    token; without one set, only this machine may read them."""
    from django_prometheus.exports import ExportToDjangoView

    wanted = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if wanted:
        allowed = secrets.compare_digest(given.encode(), wanted.encode())
    else:
        try:
            allowed = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
        except ValueError:
            allowed = False
    if not allowed:
        return HttpResponseForbidden("Metrics are for the monitoring system.")
    return ExportToDjangoView(request)

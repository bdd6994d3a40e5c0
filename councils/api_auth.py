"""Token authentication for other council systems: `Authorization: Token <key>`.

A token checked once is remembered by this process for a few seconds
(`TOKEN_CACHE_SECONDS`): systems poll the placement status many times a second, and the
lookup would otherwise be most of the request. A revoked token therefore stops working within
that time in every process (at once in the one that revoked it)."""

import hashlib
import secrets
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scopes_disabled
from rest_framework import authentication, exceptions

from core.audit import audit_record
from councils.models import ApiToken
from councils.permissions import TOKEN_SCOPES, council_id_of


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """(prefix, full key). The prefix finds the row; the rest is only ever stored hashed."""
    prefix = secrets.token_hex(4)
    return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"


class TokenUser:
    """Stands for a token where DRF wants a user: authenticated, with the token's scopes as
    its only permissions, and only in the token's council."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken):
        self.token = token
        self.council = token.council

    def __str__(self):
        return f"API token {self.token.name}"

    def get_username(self):
        return f"token:{self.token.prefix}"

    def has_perm(self, perm, obj=None):
        if obj is not None and council_id_of(obj) != self.council.pk:
            return False
        return any(perm in TOKEN_SCOPES.get(s, ()) for s in self.token.scopes)


_CHECKED: dict[str, tuple[float, ApiToken]] = {}
_LOCK = threading.Lock()


def tokens_forget() -> None:
    """Forget every token checked (a token revoked here stops working here at once)."""
    with _LOCK:
        _CHECKED.clear()


def _remembered(digest: str) -> ApiToken | None:
    found = _CHECKED.get(digest)
    if found is not None and found[0] > time.monotonic():
        return found[1]
    return None


def _remember(digest: str, token: ApiToken) -> None:
    seconds = getattr(settings, "TOKEN_CACHE_SECONDS", 0)
    if seconds <= 0:
        return
    with _LOCK:
        if len(_CHECKED) > 1000:
            _CHECKED.clear()
        _CHECKED[digest] = (time.monotonic() + seconds, token)


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _failures_key(request) -> str:
    return f"token-failures:{_address(request)}"


def _throttled(request) -> None:
    """An address that sent too many wrong tokens waits (429) until its window passes."""
    if cache.get(_failures_key(request), 0) >= settings.TOKEN_FAILURE_LIMIT:
        raise exceptions.Throttled(
            wait=settings.TOKEN_FAILURE_WINDOW_SECONDS,
            detail="Too many invalid tokens from this address: try again later.",
        )


def _failed(request) -> None:
    """Count a wrong token from this address; the failure that reaches the limit is
    audited (once per window)."""
    key = _failures_key(request)
    cache.add(key, 0, settings.TOKEN_FAILURE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, settings.TOKEN_FAILURE_WINDOW_SECONDS)
        count = 1
    if count == settings.TOKEN_FAILURE_LIMIT:
        audit_record(
            council=None,
            actor=None,
            action="token.throttled",
            summary=f"{count} invalid API tokens from {_address(request)}: refused for "
            f"{settings.TOKEN_FAILURE_WINDOW_SECONDS // 60} minutes",
            data={"address": _address(request)},
        )


class CouncilTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        _throttled(request)
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header.") from exc
        digest = hash_key(key)
        token = _remembered(digest)
        if token is not None:
            return TokenUser(token), token
        prefix = key.split(".", 1)[0]
        with scopes_disabled():
            token = (
                ApiToken.objects.select_related("council")
                .filter(prefix=prefix, revoked_at__isnull=True, council__is_active=True)
                .first()
            )
        if token is None or not secrets.compare_digest(token.key_hash, digest):
            _failed(request)
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            with scopes_disabled():
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        _remember(digest, token)
        return TokenUser(token), token

    def authenticate_header(self, request):
        return self.keyword

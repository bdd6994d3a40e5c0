"""Token authentication for other council systems: `Authorization: Token <key>`."""

import hashlib
import secrets

from django.utils import timezone
from django_scopes import scopes_disabled
from rest_framework import authentication, exceptions

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


class CouncilTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header.") from exc
        prefix = key.split(".", 1)[0]
        with scopes_disabled():
            token = (
                ApiToken.objects.select_related("council")
                .filter(prefix=prefix, revoked_at__isnull=True, council__is_active=True)
                .first()
            )
        if token is None or not secrets.compare_digest(token.key_hash, hash_key(key)):
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            with scopes_disabled():
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return TokenUser(token), token

    def authenticate_header(self, request):
        return self.keyword

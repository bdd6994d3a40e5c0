"""Single sign-on with the council's own identity provider (OpenID Connect; councils use
Microsoft Entra ID), through mozilla-django-oidc (ADR 0012). On by settings (`OIDC_RP_CLIENT_ID`
and the provider's endpoints); without them the sign-in page offers only the password.

The person must already be known here: a council's administrator adds them (with the email the
provider gives) and their roles; a sign-in for an unknown email is refused, never a new
account. The token's issuer and audience are checked as well as its signature, expiry and
nonce. Sign-ins with the provider are audited, and the provider's own multi-factor
authentication stands in for this service's two-factor step."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from core.audit import audit_record

SESSION_KEY = "signed_in_with"
SSO = "sso"


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The identity token is for another application.")
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The identity token comes from another issuer.")
        return payload

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("email"))

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def create_user(self, claims):  # never: settings keep OIDC_CREATE_USER False
        raise SuspiciousOperation("Unknown people are not given an account by signing in.")

    def update_user(self, user, claims):
        self.request.session[SESSION_KEY] = SSO
        audit_record(
            council=None,
            actor=user,
            action="signin.sso",
            summary=f"{user} signed in with the council's identity provider",
            data={"issuer": str(claims.get("iss", ""))[:200]},
        )
        return user

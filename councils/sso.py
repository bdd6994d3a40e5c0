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
from django.core.checks import Error, Tags, register
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
        # Fail closed: without the council's own tenant as issuer, any tenant could sign in.
        if not issuer or payload.get("iss") != issuer:
            raise SuspiciousOperation("The identity token comes from another issuer.")
        return payload

    def verify_claims(self, claims) -> bool:
        email = (claims.get("email") or "").strip().lower()
        if not email or claims.get("email_verified") is False:
            return False
        domains = getattr(settings, "OIDC_ALLOWED_EMAIL_DOMAINS", [])
        return not domains or email.rsplit("@", 1)[-1] in {d.lower() for d in domains}

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        # The service's own administrators and the register's keepers sign in with a
        # password and a code from their app, never through a council's provider.
        return self.UserModel.objects.filter(
            email__iexact=email,
            is_active=True,
            is_staff=False,
            is_superuser=False,
            keeps_register=False,
        )

    def create_user(self, claims):  # never: settings keep OIDC_CREATE_USER False
        raise SuspiciousOperation("Unknown people are not given an account by signing in.")

    def get_user(self, user_id):
        """A person made inactive is signed out at their next request, as with passwords."""
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def update_user(self, user, claims):
        # The first sign-in binds the person to the provider's subject; an email later moved
        # to someone else's account at the provider does not sign that someone in here.
        subject = str(claims.get("sub", ""))[:255]
        if not subject:
            raise SuspiciousOperation("The provider gave no subject.")
        if user.sso_subject and user.sso_subject != subject:
            raise SuspiciousOperation("This email belongs to another account at the provider.")
        if not user.sso_subject:
            user.sso_subject = subject
            user.save(update_fields=["sso_subject"])
        self.request.session[SESSION_KEY] = SSO
        audit_record(
            council=None,
            actor=user,
            action="signin.sso",
            summary=f"{user} signed in with the council's identity provider",
            data={"issuer": str(claims.get("iss", ""))[:200]},
        )
        return user


@register(Tags.security)
def sso_settings_check(app_configs, **kwargs):
    """Single sign-on switched on without the council's tenant as issuer would take a token
    from any tenant of the provider."""
    if sso_enabled() and not getattr(settings, "OIDC_OP_ISSUER", ""):
        return [
            Error(
                "OIDC_RP_CLIENT_ID is set but OIDC_OP_ISSUER is not.",
                hint="Set OIDC_OP_ISSUER to the council's tenant, e.g. "
                "https://login.microsoftonline.com/<tenant id>/v2.0.",
                id="councils.E001",
            )
        ]
    return []

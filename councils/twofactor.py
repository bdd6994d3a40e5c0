"""Two-factor authentication for local accounts (issue 11): after the password, a six-digit code
from an authenticator app (TOTP, django-otp; ADR 0012). Required of every local account where
`TWO_FACTOR_REQUIRED` is on (production), and of anyone who has set it up anywhere. A person
signed in with the council's identity provider has passed its own multi-factor step.

Until the second step is done, pages send the person to it (or to set it up) and the API
answers 403; nothing else of the service is open. django-otp slows down repeated wrong codes."""

from __future__ import annotations

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_record
from core.forms import GovukFormMixin
from councils.sso import SESSION_KEY, SSO

OPEN_PATHS = ("/accounts/", "/static/", "/healthz", "/readyz", "/metrics", "/oidc/")


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def second_step_needed(request) -> bool:
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    if request.session.get(SESSION_KEY) == SSO:
        return False
    return settings.TWO_FACTOR_REQUIRED or confirmed_device(user) is not None


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware: a signed-in person who still owes the second step
    reaches only the sign-in pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.second_step_owed = second_step_needed(request)
        if request.path.startswith(OPEN_PATHS) or not request.second_step_owed:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Finish signing in: enter the code from your authenticator app.",
                    "code": "two_factor_needed",
                },
                status=403,
            )
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': request.get_full_path()})}")


class CodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Security code",
        min_length=6,
        max_length=6,
        help_text="The 6-digit code your authenticator app shows for Oversight.",
        error_messages={
            "required": "Enter the security code",
            "min_length": "Enter the 6-digit security code",
            "max_length": "Enter the 6-digit security code",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-5",
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError("The security code is 6 digits")
        return code


def _next(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return "/"
    return wanted


@login_required
def two_factor(request):
    """The second step at sign-in: the code from the app (or, with no app yet, setting it up)."""
    device = confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('two-factor-set-up')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error(
            "code",
            "The security code is not right, or has run out: enter the code the app shows now"
            if allowed
            else "Too many wrong codes: wait a minute, then enter the code the app shows now",
        )
        audit_record(
            council=None,
            actor=request.user,
            action="signin.two_factor_refused",
            summary=f"A wrong security code for {request.user}",
        )
    return render(
        request,
        "registration/two_factor.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@login_required
def two_factor_set_up(request):
    """Set up (or replace) the authenticator app: scan the QR code, then enter a code to show
    it works. Replacing needs the second step done first."""
    user = request.user
    if confirmed_device(user) is not None and not user.is_verified():
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': _next(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            TOTPDevice.objects.filter(user=user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(
                council=None,
                actor=user,
                action="signin.two_factor_set_up",
                summary=f"{user} set up two-factor authentication",
            )
            _tell_of_set_up(user)
            return redirect(_next(request))
        form.add_error(
            "code",
            "The security code is not right: enter the code the app shows now"
            if allowed
            else "Too many wrong codes: wait a minute, then enter the code the app shows now",
        )
    uri = device.config_url
    secret = _base32(device.bin_key)
    return render(
        request,
        "registration/two_factor_set_up.html",
        {
            "form": form,
            "next": _next(request),
            "qr_svg": segno.make(uri, error="m").svg_inline(
                scale=5, title="QR code to scan with your authenticator app"
            ),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
        status=400 if form.errors else 200,
    )


def _tell_of_set_up(user) -> None:
    """The person is told by email, so that someone else who had their password and set up
    their own app is noticed."""
    if user.email:
        send_mail(
            "Oversight: two-factor authentication was set up on your account",
            "An authenticator app was set up for your Oversight account just now. If this "
            "was not you, tell your council's Oversight administrator at once: they will "
            "reset it, and you should change your password.",
            None,
            [user.email],
            fail_silently=True,
        )


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")

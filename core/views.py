"""Sign-in, the start page, and the helpers every page view uses."""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from core import extensions
from core.forms import GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    # A password longer than any passphrase is refused before it is hashed (issue 11: limits).
    password = forms.CharField(
        label="Password", strip=False, max_length=4096, widget=forms.PasswordInput
    )
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account is inactive",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update(autocomplete="username", spellcheck="false")
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        # Focus starts at the top (skip link, heading, error summary), not in a field.
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def clean(self):
        if self.errors:
            return self.cleaned_data
        try:
            return super().clean()
        except forms.ValidationError:
            # Name the field, so the error summary links somewhere useful.
            self.add_error("password", self.error_messages["invalid_login"])
            return self.cleaned_data


class SignInView(LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        """The council's own sign-in (OpenID Connect) is offered when it is configured."""
        context = super().get_context_data(**kwargs)
        if getattr(settings, "OIDC_RP_CLIENT_ID", ""):
            context["sso_label"] = settings.OIDC_PROVIDER_LABEL
            context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context


def require_perm(request, perm: str, target=None):
    """Pages check the same rules permissions as the API and the services."""
    target = target if target is not None else request.council
    if target is None or not request.user.has_perm(perm, target):
        raise PermissionDenied


def id_url(url_name: str) -> Callable[[object], str]:
    """The URL of the page `url_name` for any object id, reversed once: lists of many rows
    build each row's link without reversing it again."""
    marker = 999999937
    pattern = reverse(url_name, args=[marker])
    head, _, tail = pattern.rpartition(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def council_view(perm: str) -> Callable:
    """A page for the signed-in person's current council: sign-in first, then `perm` in that
    council (403 otherwise)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require_perm(request, perm)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


@login_required
def home(request):
    """The start page: what waits for this person, from the panels each app registers."""
    council = request.council
    if council is None and request.user.has_perm("providers.keep_register"):
        # The national register's keepers belong to no council: their work is the register.
        return redirect("register-home")
    panels = extensions.panels(extensions.start_page, request=request) if council else []
    waiting = extensions.waiting_items(request=request) if council else []
    return render(
        request, "core/home.html", {"council": council, "panels": panels, "waiting": waiting}
    )


def not_found(request, exception=None):
    """404: the API answers in its one error shape (JSON), pages with the GOV.UK page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    """500: JSON for the API; a page kept plain (no template that might fail again)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Something went wrong on our side.", "code": "server_error"}, status=500
        )
    try:  # the GOV.UK page, standalone (no request, no context processors)
        return HttpResponseServerError(render_to_string("500.html"))
    except Exception:  # noqa: BLE001 - the page that failed must still answer
        return HttpResponseServerError(
            "<!DOCTYPE html><html lang='en'><head><title>Sorry, there is a problem with the "
            "service</title></head><body><h1>Sorry, there is a problem with the service</h1>"
            "<p>Try again later.</p></body></html>"
        )


def bad_request(request, exception=None):
    """400 raised before a view (a request Django refuses to read: too many fields, a bad
    host): JSON for the API, the plain page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "The request could not be read.", "code": "bad_request"}, status=400
        )
    return HttpResponseBadRequest(
        "<!DOCTYPE html><html lang='en'><head><title>Bad request</title></head><body>"
        "<h1>Bad request</h1><p>The request could not be read.</p></body></html>"
    )

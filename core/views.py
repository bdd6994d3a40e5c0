"""Sign-in, the start page, and the helpers every page view uses."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from core.forms import GovukFormMixin
from core.tenancy import memberships_of
from councils.policy import Policy


class SignInForm(GovukFormMixin, AuthenticationForm):
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


def require_perm(request, perm: str, target=None):
    """Pages call this with the same rules permissions as the API."""
    target = target if target is not None else request.council
    if target is None or not request.user.has_perm(perm, target):
        raise PermissionDenied


@login_required
def home(request):
    council = request.council
    context = {"council": council}
    if council is not None:
        from providers.selectors import import_runs

        can_import = request.user.has_perm("providers.view_imports", council)
        context["recent_imports"] = list(import_runs(council=council)[:5]) if can_import else []
        context["can_manage_tokens"] = request.user.has_perm("councils.manage_tokens", council)
        pack = Policy(council.active_policy.content) if council.active_policy else None
        # Each role in the council's own words (its pack), or the decision maker's title.
        context["my_roles"] = [
            m.title or (pack and pack.role_label(m.role)) or m.get_role_display()
            for m in memberships_of(request.user)
            if m.council_id == council.pk
        ]
        if request.user.has_perm("monitoring.view_intelligence", council):
            from monitoring.selectors import officer_dashboard

            context["dashboard"] = officer_dashboard(council=council, user=request.user)
            context["today"] = timezone.localdate()
    return render(request, "core/home.html", context)

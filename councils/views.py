"""Council pages: switching council, the policy in force, people and delegations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.forms import on_form
from core.tenancy import SESSION_KEY
from core.views import council_view, require_perm
from councils import selectors
from councils.forms import DelegationForm, TokenForm
from councils.models import ApiToken
from councils.permissions import SCOPE_LABELS
from councils.policy import diff, policy_of, policy_of_version
from councils.services import delegation_create, token_create, token_revoke
from councils.tenancy import councils_of


@login_required
@require_POST
def council_switch(request):
    """One click in the header: only to a council the person belongs to."""
    code = request.POST.get("council", "")
    council = next((c for c in councils_of(request.user) if c.code == code), None)
    if council is None:
        raise Http404
    request.session[SESSION_KEY] = council.pk
    messages.success(request, f"You are now working in {council.name}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "home"
    return redirect(target)


@council_view("councils.view_policy")
def policy(request):
    council = request.council
    versions = list(selectors.policy_versions(council=council))
    active = council.active_policy
    return render(
        request,
        "councils/policy.html",
        {
            "council": council,
            "version": active,
            "policy": policy_of_version(active) if active else None,
            "versions": versions,
        },
    )


@council_view("councils.view_policy")
def policy_diff(request):
    versions = {v.number: v for v in selectors.policy_versions(council=request.council)}
    try:
        a, b = versions[int(request.GET["from"])], versions[int(request.GET["to"])]
    except (KeyError, ValueError):
        if not versions:
            raise Http404 from None
        return HttpResponseBadRequest("Choose two versions of this council's policy.")
    return render(
        request,
        "councils/policy_diff.html",
        {"a": a, "b": b, "differences": diff(a.content, b.content), "versions": versions.values()},
    )


@council_view("councils.view_people")
def people(request):
    council = request.council
    can_delegate = request.user.has_perm("councils.manage_delegations", council)
    form = None
    if can_delegate:
        form = DelegationForm(request.POST or None, council=council, user=request.user)
        if request.method == "POST" and form.is_valid():
            ok, _ = on_form(
                form,
                lambda: delegation_create(council=council, actor=request.user, **form.cleaned_data),
            )
            if ok:
                messages.success(request, "Delegation saved.")
                return redirect("people")
    elif request.method == "POST":
        require_perm(request, "councils.manage_delegations")
    pack = policy_of(council) if council.active_policy_id else None
    return render(
        request,
        "councils/people.html",
        {
            "council": council,
            "members": selectors.people(council=council),
            "delegations": selectors.delegations(council=council),
            "form": form,
            "policy": pack,
        },
    )


@council_view("councils.manage_tokens")
def tokens(request):
    """Council admins connect other council systems: a key is shown once, then only its
    prefix; revoking takes effect at once."""
    council = request.council
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        ok, made = on_form(
            form,
            lambda: token_create(council=council, actor=request.user, **form.cleaned_data),
        )
        if ok:
            _, new_key = made
            form = TokenForm()
    return render(
        request,
        "councils/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": selectors.api_tokens(council=council),
            "scope_labels": SCOPE_LABELS,
        },
    )


@council_view("councils.manage_tokens")
@require_POST
def token_revoke_view(request, pk: int):
    token = ApiToken.objects.filter(council=request.council, pk=pk).first()
    if token is None:
        raise Http404
    token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token for {token.name} was revoked.")
    return redirect("tokens")

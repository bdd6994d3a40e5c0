"""Council pages: switching council, the policy in force, people and delegations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.errors import NotAllowed, ValidationFailed
from core.tenancy import SESSION_KEY
from core.views import require_perm
from councils import selectors
from councils.forms import DelegationForm, TokenForm
from councils.models import ApiToken
from councils.policy import Policy, diff
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


@login_required
def policy(request):
    require_perm(request, "councils.view_policy")
    council = request.council
    versions = list(selectors.policy_versions(council=council))
    active = council.active_policy
    return render(
        request,
        "councils/policy.html",
        {
            "council": council,
            "version": active,
            "policy": Policy(active.content) if active else None,
            "versions": versions,
        },
    )


@login_required
def policy_diff(request):
    require_perm(request, "councils.view_policy")
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


@login_required
def people(request):
    require_perm(request, "councils.view_people")
    council = request.council
    can_delegate = request.user.has_perm("councils.manage_delegations", council)
    form = None
    if can_delegate:
        form = DelegationForm(request.POST or None, council=council, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                delegation_create(council=council, actor=request.user, **form.cleaned_data)
            except (ValidationFailed, NotAllowed) as exc:
                form.add_domain_errors(getattr(exc, "errors", {}) or {"__all__": [exc.message]})
            else:
                messages.success(request, "Delegation saved.")
                return redirect("people")
    elif request.method == "POST":
        require_perm(request, "councils.manage_delegations")
    pack = Policy(council.active_policy.content) if council.active_policy else None
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


@login_required
def tokens(request):
    """Council admins connect other council systems: a key is shown once, then only its
    prefix; revoking takes effect at once."""
    require_perm(request, "councils.manage_tokens")
    council = request.council
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = token_create(council=council, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_domain_errors(exc.errors)
        else:
            form = TokenForm()
    return render(
        request,
        "councils/tokens.html",
        {"form": form, "new_key": new_key, "tokens": selectors.api_tokens(council=council)},
    )


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    require_perm(request, "councils.manage_tokens")
    token = ApiToken.objects.filter(council=request.council, pk=pk).first()
    if token is None:
        raise Http404
    token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token for {token.name} was revoked.")
    return redirect("tokens")

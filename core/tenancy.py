"""Where tenancy is enforced for the browser: the current council of a signed-in person is
resolved once per request and every council-owned queryset is scoped to it (django-scopes).
Without a council, council-owned models cannot be queried at all (they raise ScopeError)."""

from contextlib import ExitStack

from django_scopes import scope, scopes_disabled

SESSION_KEY = "current_council_id"


def memberships_of(user):
    """The person's active memberships, loaded once per request and cached on the user."""
    cached = getattr(user, "_oversight_memberships", None)
    if cached is None:
        from councils.models import Membership

        with scopes_disabled():
            cached = list(
                Membership.objects.filter(user=user, is_active=True, council__is_active=True)
                .select_related("council")
                .order_by("council__name", "role")
            )
        user._oversight_memberships = cached
    return cached


def councils_of(user):
    seen = {}
    for m in memberships_of(user):
        seen.setdefault(m.council_id, m.council)
    return list(seen.values())


def current_council_for(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    councils = councils_of(user)
    if not councils:
        return None
    wanted = request.session.get(SESSION_KEY)
    for council in councils:
        if council.pk == wanted:
            return council
    return councils[0]


class CouncilScopeMiddleware:
    """Sets request.council and scopes the whole request (view and template rendering)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.council = current_council_for(request)
        with ExitStack() as stack:
            if request.path.startswith("/admin/") and getattr(request.user, "is_superuser", False):
                stack.enter_context(scopes_disabled())
            elif request.council is not None:
                stack.enter_context(scope(council=request.council))
            return self.get_response(request)

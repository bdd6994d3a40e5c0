"""Where tenancy is enforced for the browser: the current council of a signed-in person is
resolved once per request and every council-owned queryset is scoped to it (django-scopes).
Without a council, council-owned models cannot be queried at all (they raise ScopeError).

Which councils a person belongs to is the councils app's to say: it registers the resolver
in its `ready()` (core sits below it and never imports it)."""

from collections.abc import Callable
from contextlib import ExitStack

from django_scopes import scope, scopes_disabled

SESSION_KEY = "current_council_id"

_councils_of: Callable[[object], list] = lambda user: []  # noqa: E731 - until councils registers


def councils_resolver(resolver: Callable[[object], list]) -> Callable[[object], list]:
    """Register the function giving a signed-in person's councils (a list, first = default)."""
    global _councils_of
    _councils_of = resolver
    return resolver


def councils_of(user) -> list:
    return _councils_of(user)


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

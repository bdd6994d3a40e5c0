"""A person's memberships and councils, loaded once per request (core.tenancy asks for them
through the resolver registered in `CouncilsConfig.ready`)."""

from django_scopes import scopes_disabled

from councils.models import Membership


def memberships_of(user) -> list[Membership]:
    """The person's active memberships, loaded once per request and cached on the user."""
    cached = getattr(user, "_oversight_memberships", None)
    if cached is None:
        with scopes_disabled():
            cached = list(
                Membership.objects.filter(user=user, is_active=True, council__is_active=True)
                .select_related("council")
                .order_by("council__name", "role")
            )
        user._oversight_memberships = cached
    return cached


def councils_of(user) -> list:
    seen = {}
    for m in memberships_of(user):
        seen.setdefault(m.council_id, m.council)
    return list(seen.values())

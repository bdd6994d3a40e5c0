"""Reads for councils. Each takes the council explicitly."""

import datetime as dt

from django.utils import timezone

from councils.models import ApiToken, Council, Delegation, Membership, PolicyVersion, Role


def policy_versions(*, council: Council):
    return PolicyVersion.objects.filter(council=council).select_related("loaded_by")


def api_tokens(*, council: Council):
    return (
        ApiToken.objects.filter(council=council)
        .select_related("created_by")
        .order_by("revoked_at", "name")
    )


def people(*, council: Council):
    return (
        Membership.objects.filter(council=council, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role")
    )


def delegations(*, council: Council):
    return Delegation.objects.filter(council=council).select_related("delegator__user", "delegate")


def acting_decision_makers(*, council: Council, title: str, on: dt.date | None = None) -> list:
    """Who may act as the decision maker with this title on a day: the holder, and any
    delegate whose delegation covers the day (000 4: the Head of Assessment & Care Management
    in the DASS's absence)."""
    on = on or timezone.localdate()
    holders = list(
        Membership.objects.filter(
            council=council, role=Role.DECISION_MAKER, title=title, is_active=True
        ).select_related("user")
    )
    acting = [m.user for m in holders]
    for d in Delegation.objects.filter(
        council=council,
        delegator__in=holders,
        revoked_at__isnull=True,
        starts_on__lte=on,
        ends_on__gte=on,
    ).select_related("delegate"):
        acting.append(d.delegate)
    return acting


def is_member_of(council: Council, user) -> bool:
    """The person works for this council (any active role)."""
    return Membership.objects.filter(council=council, user=user, is_active=True).exists()

"""The pages every public sector service links from its footer: help and contact, the
accessibility statement, the privacy notice (issue 13). Open to anyone; when a person is signed
in, they name their council and its contact details from its policy pack."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from councils.models import Membership, Role
from councils.policy import policy_of


def _council_contact(request) -> dict:
    council = getattr(request, "council", None)
    if council is None:
        return {}
    head = (policy_of(council).content.get("letters") or {}).get("letterhead") or {}
    admins = (
        Membership.objects.filter(council=council, role=Role.COUNCIL_ADMIN, is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")[:5]
    )
    return {
        "council": council,
        "head": head,
        "admins": [m.user.get_full_name() or m.user.username for m in admins],
    }


def help_page(request):
    return render(
        request,
        "councils/about/help.html",
        {
            "support_email": settings.SUPPORT_EMAIL,
            "support_phone": settings.SUPPORT_PHONE,
            **_council_contact(request),
        },
    )


def accessibility(request):
    return render(
        request,
        "councils/about/accessibility.html",
        {
            "support_email": settings.SUPPORT_EMAIL,
            "prepared_on": settings.ACCESSIBILITY_STATEMENT_PREPARED,
            **_council_contact(request),
        },
    )


def privacy(request):
    return render(
        request,
        "councils/about/privacy.html",
        {"support_email": settings.SUPPORT_EMAIL, **_council_contact(request)},
    )

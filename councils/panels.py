"""Where the councils app shows itself on shared pages: the navigation to the policy and to
people, and on the start page who the person is here and their council's pages."""

from core import extensions
from core.extensions import NavEntry, Panel, Waiting
from core.timers import timers_overdue, timers_waiting
from councils.policy import policy_of
from councils.tenancy import memberships_of


def roles_panel(*, request) -> dict | None:
    """Each role in the council's own words (its pack), or the post the person holds."""
    council = request.council
    policy = policy_of(council) if council.active_policy_id else None
    return {
        "my_roles": [
            m.title or (policy and policy.role_label(m.role)) or m.get_role_display()
            for m in memberships_of(request.user)
            if m.council_id == council.pk
        ]
    }


def links_panel(*, request) -> dict | None:
    if not request.user.has_perm("councils.view_policy", request.council):
        return None  # a partner's seat on a board sees its board only (issue 12)
    return {
        "council": request.council,
        "can_manage_tokens": request.user.has_perm("councils.manage_tokens", request.council),
    }


def _timers_count(*, council, user) -> int:
    return timers_waiting(council=council, owner=user).count()


def _overdue_count(*, council, user) -> int:
    return timers_overdue(council=council).exclude(owner=user).count()


def register() -> None:
    extensions.waiting.register(
        Waiting(
            "timers.mine",
            ("time limit of yours due or overdue", "time limits of yours due or overdue"),
            "my-timers",
            "councils.view_timers",
            _timers_count,
            order=5,
        )
    )
    extensions.waiting.register(
        Waiting(
            "timers.overdue",
            ("other time limit overdue in the council", "other time limits overdue in the council"),
            "overdue-timers",
            "councils.view_overdue",
            _overdue_count,
            order=60,
        )
    )
    extensions.navigation.register(
        NavEntry(
            "policy", "Policy", "policy", "councils.view_policy", 70, sections=("/council/policy/",)
        )
    )
    extensions.navigation.register(
        NavEntry(
            "people", "People", "people", "councils.view_people", 80, sections=("/council/people/",)
        )
    )
    extensions.start_page.register(
        Panel("councils.roles", "councils/panels/start_roles.html", roles_panel, 0)
    )
    extensions.start_page.register(
        Panel("councils.links", "councils/panels/start_links.html", links_panel, 70)
    )

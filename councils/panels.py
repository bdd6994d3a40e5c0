"""Where the councils app shows itself on shared pages: the navigation to the policy and to
people, and on the start page who the person is here and their council's pages."""

from core import extensions
from core.extensions import NavEntry, Panel
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
    return {
        "council": request.council,
        "can_manage_tokens": request.user.has_perm("councils.manage_tokens", request.council),
    }


def register() -> None:
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

"""Roles, the predicates over them, and the API token scopes that stand for them.

A permission's target is a council or an object with a `council`; the person's roles in
that council decide. The same predicates guard pages, API endpoints and services. Each app
adds its own permissions and token scopes in its `permissions.py`, imported by its `ready()`."""

import rules

from councils.models import Council, Role
from councils.tenancy import memberships_of

# What each API scope lets a token do (the same permission names as for people), and what it
# is called on the token page. Each app registers its own scopes in its `ready()`.
TOKEN_SCOPES: dict[str, set[str]] = {}
SCOPE_LABELS: dict[str, str] = {}


def token_scope(scope: str, label: str, perms: set[str]) -> None:
    """A scope a council may give another system's token: it grants `perms` (and reading
    the council itself)."""
    TOKEN_SCOPES[scope] = {*perms, "councils.view_council"}
    SCOPE_LABELS[scope] = label


def council_id_of(target):
    if target is None:
        return None
    if isinstance(target, Council):
        return target.pk
    return getattr(target, "council_id", None)


def roles_in(user, target) -> set[str]:
    council_id = council_id_of(target)
    if council_id is None or not getattr(user, "is_authenticated", False):
        return set()
    if getattr(user, "token", None) is not None:
        return set()  # a system's token has scopes, never a person's roles
    return {m.role for m in memberships_of(user) if m.council_id == council_id}


def has_role(*roles: str):
    wanted = frozenset(roles)
    name = "has_role:" + ",".join(sorted(wanted))

    @rules.predicate(name)
    def predicate(user, target=None):
        return bool(roles_in(user, target) & wanted)

    return predicate


@rules.predicate
def is_member(user, target=None):
    """Works for the council: any role but a partner's seat on a board, which shows only
    that board's papers (issue 12)."""
    return bool(roles_in(user, target) - {Role.EXTERNAL})


is_external = has_role(Role.EXTERNAL)


is_officer = has_role(Role.OFFICER)
is_manager = has_role(Role.MANAGER)
is_decision_maker = has_role(Role.DECISION_MAKER)
is_council_admin = has_role(Role.COUNCIL_ADMIN)
is_auditor = has_role(Role.AUDITOR)
works_on_quality = has_role(Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER, Role.COUNCIL_ADMIN)

rules.add_perm("councils.view_council", is_member)
rules.add_perm("councils.view_policy", is_member)
rules.add_perm("councils.load_policy", is_council_admin)
rules.add_perm("councils.view_people", is_member)
rules.add_perm("councils.manage_delegations", is_decision_maker | is_council_admin)
rules.add_perm("councils.manage_tokens", is_council_admin)
rules.add_perm("councils.view_audit", is_auditor | is_council_admin | is_manager)
rules.add_perm("councils.view_timers", is_member)
rules.add_perm("councils.view_overdue", is_manager | is_council_admin | is_auditor)
token_scope("policy:read", "Read the council's policy versions", {"councils.view_policy"})
token_scope("people:read", "Read delegations", {"councils.view_people"})

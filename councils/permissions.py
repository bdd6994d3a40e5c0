"""Roles, the predicates over them, and the API token scopes that stand for them.

A permission's target is a council or an object with a `council`; the person's roles in
that council decide. The same predicates guard pages, API endpoints and (later) transitions."""

import rules

from core.tenancy import memberships_of
from councils.models import Role

# What each API scope lets a token do: the same permission names as for people.
TOKEN_SCOPES: dict[str, set[str]] = {
    "register:read": {"providers.view_register", "councils.view_council"},
    "imports:read": {"providers.view_imports", "councils.view_council"},
    "imports:write": {"providers.view_imports", "providers.run_import", "councils.view_council"},
    "policy:read": {"councils.view_policy", "councils.view_council"},
    "people:read": {"councils.view_people", "councils.view_council"},
    "commissioning:read": {"monitoring.view_commissioning", "councils.view_council"},
    "commissioning:write": {
        "monitoring.view_commissioning",
        "monitoring.change_commissioning",
        "councils.view_council",
    },
    "intelligence:read": {"monitoring.view_intelligence", "councils.view_council"},
    "intelligence:write": {
        "monitoring.view_intelligence",
        "monitoring.record_intelligence",
        "councils.view_council",
    },
    "monitoring:read": {"monitoring.view_monitoring", "councils.view_council"},
    "cases:read": {"concerns.view_case", "councils.view_council"},
    "monitoring:write": {
        "monitoring.view_monitoring",
        "monitoring.change_monitoring",
        "councils.view_council",
    },
}


def _council_id(target):
    if target is None:
        return None
    from councils.models import Council

    if isinstance(target, Council):
        return target.pk
    return getattr(target, "council_id", None)


def roles_in(user, target) -> set[str]:
    council_id = _council_id(target)
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
    return bool(roles_in(user, target))


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
rules.add_perm("providers.view_register", is_member)
rules.add_perm("providers.view_imports", works_on_quality | is_auditor)
rules.add_perm("providers.run_import", works_on_quality)
rules.add_perm("providers.manage_mappings", is_manager | is_council_admin)

rules.add_perm("monitoring.view_commissioning", is_member)
rules.add_perm("monitoring.change_commissioning", works_on_quality)
rules.add_perm("monitoring.view_intelligence", works_on_quality | is_auditor)
rules.add_perm("monitoring.record_intelligence", works_on_quality)
rules.add_perm("monitoring.correct_intelligence", works_on_quality)
# The risk matrix, reviews and visits, improvement plans and the timeline.
rules.add_perm("monitoring.view_monitoring", works_on_quality | is_auditor)
rules.add_perm("monitoring.change_monitoring", works_on_quality)

# Escalation. Which roles may make each move, and who decides, comes from the council's pack
# (concerns.services checks it); these gate the pages and endpoints.
is_board_member = has_role(Role.BOARD_MEMBER)
rules.add_perm("concerns.view_case", works_on_quality | is_auditor | is_board_member)
rules.add_perm("concerns.open_case", has_role(Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER))
# Moves are made by those who can see cases (which roles may make each move: the pack).
rules.add_perm(
    "concerns.make_move",
    has_role(
        Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER, Role.BOARD_MEMBER, Role.COUNCIL_ADMIN
    ),
)
rules.add_perm("concerns.decide", is_manager | is_decision_maker | is_board_member)
rules.add_perm("concerns.handle_alert", works_on_quality)
rules.add_perm("concerns.request_exception", is_member)

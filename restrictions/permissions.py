"""Who may see and act on restrictions. Everyone in a council may check a placement and see a
location's status (placement staff most of all: 004 19.3 "Care Managers and Commissioning will
consult this list"); the reasons, evidence and decisions behind a restriction are for quality
staff, auditors and board members; which roles may ask for each step comes from the pack
(003 2.6: only designated managers change a commissioning status)."""

import rules

from councils.models import Role
from councils.permissions import has_role, is_auditor, is_member, token_scope, works_on_quality

quality = has_role(Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER)

rules.add_perm("restrictions.view_status", is_member)
rules.add_perm("restrictions.check_placements", is_member)
rules.add_perm("restrictions.view_lists", is_member)
rules.add_perm(
    "restrictions.view_restriction", works_on_quality | is_auditor | has_role(Role.BOARD_MEMBER)
)
rules.add_perm("restrictions.propose", quality)
rules.add_perm("restrictions.review", quality)
rules.add_perm("restrictions.record_appeal", has_role(Role.OFFICER, Role.MANAGER))
rules.add_perm("restrictions.record_notice", has_role(Role.OFFICER, Role.MANAGER))
rules.add_perm("restrictions.issue_list", has_role(Role.OFFICER, Role.MANAGER))
rules.add_perm("restrictions.view_checks", has_role(Role.MANAGER, Role.AUDITOR, Role.COUNCIL_ADMIN))

token_scope(
    "placements:read",
    "Read placement statuses, the changes feed and the issued lists",
    {"restrictions.view_status", "restrictions.view_lists"},
)
token_scope(
    "restrictions:read",
    "Read restrictions, their decisions and appeals",
    {"restrictions.view_status", "restrictions.view_restriction", "decisions.view_all"},
)

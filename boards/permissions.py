"""Who may see and run boards: every member of the council sees them; quality staff arrange
meetings and record attendance; managers and council administrators keep the membership."""

import rules

from councils.models import Role
from councils.permissions import (
    has_role,
    is_auditor,
    is_council_admin,
    is_external,
    is_manager,
    is_member,
    token_scope,
    works_on_quality,
)

is_board_member = has_role(Role.BOARD_MEMBER)

# A partner's seat (issue 12: CCG/ICB, police, CQC, Healthwatch) shows the boards they sit on,
# their meetings and papers, and nothing else of the council; the council's people see all.
rules.add_perm("boards.view", is_member | is_external)
rules.add_perm("boards.view_all", is_member)
rules.add_perm("boards.run_meetings", works_on_quality)
rules.add_perm("boards.manage_members", is_manager | is_council_admin)
rules.add_perm("boards.view_records", works_on_quality | is_auditor | is_board_member)

token_scope(
    "boards:read", "Read boards, their members and meetings", {"boards.view", "boards.view_all"}
)

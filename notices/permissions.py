"""Who may see and issue letters: quality staff write and issue them; auditors and board
members read them; another system's token may read them and their PDFs."""

import rules

from councils.models import Role
from councils.permissions import (
    has_role,
    is_auditor,
    is_council_admin,
    token_scope,
    works_on_quality,
)

rules.add_perm("notices.view_letters", works_on_quality | is_auditor | has_role(Role.BOARD_MEMBER))
rules.add_perm("notices.issue_letter", has_role(Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER))

# Webhooks send the council's events to another system: its admin decides which and where.
rules.add_perm("notices.manage_webhooks", is_council_admin)

token_scope("letters:read", "Read letters and download their PDFs", {"notices.view_letters"})
token_scope(
    "letters:write",
    "Issue letters, record them posted and their receipt confirmed",
    {"notices.view_letters", "notices.issue_letter"},
)

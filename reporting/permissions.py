"""Who reads the reports: the council's quality staff, its auditors and board members."""

import rules

from councils.models import Role
from councils.permissions import has_role, is_auditor, token_scope, works_on_quality

rules.add_perm("reporting.view", works_on_quality | is_auditor | has_role(Role.BOARD_MEMBER))
token_scope("reports:read", "Read the reports' figures", {"reporting.view"})

"""Who may see the register and run imports, and the token scopes for them."""

import rules

from councils.permissions import (
    is_auditor,
    is_council_admin,
    is_manager,
    is_member,
    token_scope,
    works_on_quality,
)

rules.add_perm("providers.view_register", is_member)
rules.add_perm("providers.view_imports", works_on_quality | is_auditor)
rules.add_perm("providers.run_import", works_on_quality)
rules.add_perm("providers.manage_mappings", is_manager | is_council_admin)

token_scope(
    "register:read", "Read the register of providers and locations", {"providers.view_register"}
)
token_scope("imports:read", "Read imports and their reports", {"providers.view_imports"})
token_scope("imports:write", "Start imports", {"providers.view_imports", "providers.run_import"})


@rules.predicate
def keeps_register(user) -> bool:
    """The national register's keepers: no council's role (issue 11), set on the person."""
    if getattr(user, "token", None) is not None:
        return False  # a council system's token is never the register's keeper
    return bool(getattr(user, "is_active", False) and getattr(user, "keeps_register", False))


rules.add_perm("providers.keep_register", keeps_register)

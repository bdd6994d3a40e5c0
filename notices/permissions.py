"""Who may see and issue letters: quality staff write and issue them; auditors and board
members read them; another system's token may read them and their PDFs. A letter started by
hand (000 5.i: the Placement Officer's letter to a family) is also its author's to see and
issue, whatever their role, and no one else's outside the quality team: checked against the
letter itself (`has_perm(perm, letter)`)."""

import rules

from councils.models import Role
from councils.permissions import (
    has_role,
    is_auditor,
    is_council_admin,
    is_member,
    token_scope,
    works_on_quality,
)

BY_HAND = "notices.by_hand"


@rules.predicate
def wrote_it_by_hand(user, target=None):
    return (
        getattr(target, "source", None) == BY_HAND
        and getattr(target, "please_ask_for_id", None) == getattr(user, "pk", object())
        and is_member(user, target)
    )


rules.add_perm(
    "notices.view_letters",
    works_on_quality | is_auditor | has_role(Role.BOARD_MEMBER) | wrote_it_by_hand,
)
rules.add_perm(
    "notices.issue_letter",
    has_role(Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER) | wrote_it_by_hand,
)
# Starting a letter by hand: the pack names which roles start which letters.
rules.add_perm("notices.start_letter", is_member)

# Webhooks send the council's events to another system: its admin decides which and where.
rules.add_perm("notices.manage_webhooks", is_council_admin)

token_scope("letters:read", "Read letters and download their PDFs", {"notices.view_letters"})
token_scope(
    "letters:write",
    "Issue letters, record them posted and their receipt confirmed",
    {"notices.view_letters", "notices.issue_letter"},
)

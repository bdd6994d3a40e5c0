"""Who may open the decisions pages and endpoints. Which step a person may take is the chain's
to say (`decisions.chain.step_blockers`, as the `decisions.take_step` rule)."""

import rules

from councils.models import Role
from councils.permissions import has_role, is_member, works_on_quality
from decisions.selectors import blockers

# Anyone in a council may have something waiting for them, or a request of their own (a
# Placement Officer's family choice decision, 000 5).
rules.add_perm("decisions.view_inbox", is_member)
# Quality staff, auditors and board members see every recommendation; others only their own.
rules.add_perm(
    "decisions.view_all",
    works_on_quality | has_role(Role.AUDITOR) | has_role(Role.BOARD_MEMBER),
)
rules.add_perm("decisions.act", has_role(Role.MANAGER, Role.DECISION_MAKER, Role.BOARD_MEMBER))
# Withdrawing is the proposer's (the service checks); the API opens it to those who propose.
rules.add_perm(
    "decisions.withdraw",
    has_role(
        Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER, Role.BOARD_MEMBER, Role.COUNCIL_ADMIN
    ),
)


@rules.predicate
def may_take_step(user, recommendation) -> bool:
    return not blockers(recommendation=recommendation, user=user)


rules.add_perm("decisions.take_step", may_take_step)
# Evidence files: those who propose (placement staff ask for a family's choice, 000 5) attach
# them; a read-only auditor or a partner's seat on a board does not. Who opens one is decided
# per file (decisions.selectors.evidence_files): those who see every recommendation, and the
# person who gave it.
rules.add_perm(
    "decisions.give_evidence",
    has_role(
        Role.OFFICER,
        Role.MANAGER,
        Role.DECISION_MAKER,
        Role.BOARD_MEMBER,
        Role.PLACEMENT,
        Role.COUNCIL_ADMIN,
    ),
)
rules.add_perm("decisions.view_evidence", is_member)

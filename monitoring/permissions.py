"""Who may see and record commissioning, intelligence, the risk matrix, reviews and plans, and
the token scopes for them. Services check the same permissions (`core.actors.require`)."""

import rules

from councils.permissions import is_auditor, is_member, token_scope, works_on_quality

rules.add_perm("monitoring.view_commissioning", is_member)
rules.add_perm("monitoring.change_commissioning", works_on_quality)
rules.add_perm("monitoring.view_intelligence", works_on_quality | is_auditor)
rules.add_perm("monitoring.record_intelligence", works_on_quality)
rules.add_perm("monitoring.correct_intelligence", works_on_quality)
# The risk matrix, reviews and visits, improvement plans and the timeline.
rules.add_perm("monitoring.view_monitoring", works_on_quality | is_auditor)
rules.add_perm("monitoring.change_monitoring", works_on_quality)

token_scope(
    "commissioning:read", "Read what the council commissions", {"monitoring.view_commissioning"}
)
token_scope(
    "commissioning:write",
    "Record what the council commissions",
    {"monitoring.view_commissioning", "monitoring.change_commissioning"},
)
token_scope("intelligence:read", "Read the intelligence log", {"monitoring.view_intelligence"})
token_scope(
    "intelligence:write",
    "Post intelligence (for example safeguarding alerts)",
    {"monitoring.view_intelligence", "monitoring.record_intelligence"},
)
token_scope(
    "monitoring:read",
    "Read the risk matrix, reviews and improvement plans",
    {"monitoring.view_monitoring"},
)
token_scope(
    "monitoring:write",
    "Record reviews and improvement plans, override ratings",
    {"monitoring.view_monitoring", "monitoring.change_monitoring"},
)

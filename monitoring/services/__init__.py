"""Writes for monitoring, by topic: commissioning, intelligence, the risk matrix, reviews and
visits, improvement plans. Each service checks the actor's permission, validates, writes in
`atomic()`, records the audit entry and publishes its event (`monitoring.events`)."""

from monitoring.services.commissioning import COMMISSIONING_FIELDS, commissioning_save
from monitoring.services.intelligence import (
    CORRECTABLE,
    attachment_add,
    attachment_rules,
    intelligence_correct,
    intelligence_record,
    intelligence_set_outcome,
    rating_changes_to_intelligence,
)
from monitoring.services.plans import (
    plan_action_add,
    plan_create,
    plan_is_failing,
    plan_review_record,
)
from monitoring.services.reviews import (
    next_review,
    review_plan,
    review_record,
    review_report_sent,
)
from monitoring.services.risk import risk_override_end, risk_override_set, risk_recompute_later

__all__ = [
    "COMMISSIONING_FIELDS",
    "CORRECTABLE",
    "attachment_add",
    "attachment_rules",
    "commissioning_save",
    "intelligence_correct",
    "intelligence_record",
    "intelligence_set_outcome",
    "next_review",
    "plan_action_add",
    "plan_create",
    "plan_is_failing",
    "plan_review_record",
    "rating_changes_to_intelligence",
    "review_plan",
    "review_record",
    "review_report_sent",
    "risk_override_end",
    "risk_override_set",
    "risk_recompute_later",
]

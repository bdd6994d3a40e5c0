"""Writes for escalation, by topic: cases and their moves (`cases`), what a move leaves behind
(`effects`), the safeguarding track (`safeguarding`), exceptions (`exceptions`) and the
automatic rules' alerts (`alerts`). Decisions on moves and exceptions go through `decisions`."""

from concerns.services.alerts import alert_handle, alert_raise, alerts_handle
from concerns.services.assign import case_assign
from concerns.services.cases import apply_move, case_lock, case_move, case_open
from concerns.services.exceptions import exception_propose
from concerns.services.safeguarding import (
    safeguarding_close,
    safeguarding_meeting_record,
    safeguarding_open,
    safeguarding_plan_start,
)

__all__ = [
    "alert_handle",
    "alert_raise",
    "alerts_handle",
    "apply_move",
    "case_assign",
    "case_lock",
    "case_move",
    "case_open",
    "exception_propose",
    "safeguarding_close",
    "safeguarding_meeting_record",
    "safeguarding_open",
    "safeguarding_plan_start",
]

"""Writes for restrictions, by topic: proposals (proposed, suggested, dismissed,
withdrawn), decided (what a decision does), changes (changed, lifted, reviewed), appeals,
notices, lists, placement checks, sharing (what another council's restriction brings);
`effects` is what follows a change of level (timers, notices, sharing, the feed, the case's
ladder); `common`, what they share."""

from restrictions.services.appeals import appeal_lodge
from restrictions.services.changes import (
    restriction_change,
    restriction_contact_update,
    restriction_review,
)
from restrictions.services.checks import placement_check_log
from restrictions.services.lists import list_issue
from restrictions.services.notices import notice_record_sent
from restrictions.services.proposals import (
    restriction_dismiss,
    restriction_propose,
    restriction_suggest,
    restriction_withdraw,
)

__all__ = [
    "appeal_lodge",
    "list_issue",
    "notice_record_sent",
    "placement_check_log",
    "restriction_change",
    "restriction_contact_update",
    "restriction_dismiss",
    "restriction_propose",
    "restriction_review",
    "restriction_suggest",
    "restriction_withdraw",
]

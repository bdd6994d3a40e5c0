"""Writes for letters, by topic: writing drafts from requests, issuing, sending and
recording what came back."""

from notices.services.by_hand import letter_start, letters_by_hand
from notices.services.issuing import (
    letter_cancel,
    letter_correct,
    letter_issue,
    letters_not_needed,
)
from notices.services.sending import (
    delivery_record_bounce,
    delivery_retry,
    delivery_send,
    letter_record_post,
    letter_record_receipt,
)
from notices.services.webhooks import (
    hook_retry,
    hook_send,
    hooks_make,
    subscription_create,
    subscription_end,
)
from notices.services.writing import letter_preview, letter_update, letter_write

__all__ = [
    "delivery_record_bounce",
    "delivery_retry",
    "delivery_send",
    "hook_retry",
    "hook_send",
    "hooks_make",
    "letter_cancel",
    "letter_correct",
    "letter_issue",
    "letter_preview",
    "letter_record_post",
    "letter_record_receipt",
    "letter_start",
    "letters_by_hand",
    "letters_not_needed",
    "letter_update",
    "letter_write",
    "subscription_create",
    "subscription_end",
]

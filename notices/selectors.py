"""Reads of letters for pages and the API alike (each takes the council explicitly)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.errors import NotFound
from notices.models import OPEN_STATUSES, Letter, LetterStatus

FILTERS = {
    "waiting": OPEN_STATUSES,
    "issued": (LetterStatus.ISSUED,),
    "replaced": (LetterStatus.REPLACED,),
    "cancelled": (LetterStatus.CANCELLED,),
}


def letters(
    *,
    council,
    status: str = "",
    case_id: int | None = None,
    location_id: int | None = None,
    unconfirmed: bool = False,
) -> QuerySet[Letter]:
    """A council's letters, newest first, each with what its list shows (a fixed number of
    queries whatever the count)."""
    qs = (
        Letter.objects.filter(council=council)
        .select_related("provider", "location", "issue")
        .defer("issue__pdf", "issue__data", "facts")
    )
    if status in FILTERS:
        qs = qs.filter(status__in=FILTERS[status])
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    if unconfirmed:
        qs = qs.filter(status=LetterStatus.ISSUED, receipt_confirmed_on__isnull=True)
    return qs.order_by("-created_at", "-id")


def letters_waiting_count(*, council) -> int:
    return Letter.objects.filter(council=council, status__in=OPEN_STATUSES).count()


def letter_get(*, council, pk) -> Letter:
    """One letter of this council (another council's is not found)."""
    found = (
        Letter.objects.filter(council=council, pk=pk)
        .select_related("provider", "location", "replaces", "please_ask_for", "signatory")
        .prefetch_related("deliveries")
        .first()
    )
    if found is None:
        raise NotFound("There is no such letter here.")
    return found

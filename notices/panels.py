"""Where letters show on pages other apps own (registered in `NoticesConfig.ready`): the
letters of a location in the council's record, the navigation entry and the timeline."""

from __future__ import annotations

from django.utils import timezone

from core import extensions
from core.extensions import NavEntry, Panel, TimelineEntry, TimelineSource, Waiting
from core.views import id_url
from notices.models import Letter, LetterStatus
from notices.permissions import BY_HAND
from notices.selectors import letters, letters_waiting_count
from notices.services import letters_by_hand


def location_panel(*, request, location, forms) -> dict | None:
    """The letters about this service, and the letters this person may start by hand."""
    council, user = request.council, request.user
    if council is None:
        return None
    rows = letters(council=council, location_id=location.pk)
    if not user.has_perm("notices.view_letters", council):
        rows = rows.filter(source=BY_HAND, please_ask_for=user)  # their own only
    rows = list(rows[:10])
    by_hand = letters_by_hand(council=council, user=user)
    if not rows and not by_hand:
        return None
    return {
        "letters": rows,
        "by_hand": by_hand,
        "all_letters": user.has_perm("notices.view_letters", council),
    }


def object_panel(*, request, subject) -> dict | None:
    """The letters of a case, or of a restriction (its decision letters), with their state."""
    council = request.council
    if council is None or not request.user.has_perm("notices.view_letters", council):
        return None
    kind = subject._meta.label_lower
    if kind == "concerns.case":
        rows = letters(council=council, case_id=subject.pk)
    elif kind == "restrictions.restriction":
        rows = letters(council=council).filter(subject_type=kind, subject_id=str(subject.pk))
    else:
        return None
    return {"letters": list(rows[:20]), "case_id": subject.pk if kind == "concerns.case" else None}


def _timeline(*, council, location, limit: int) -> list[TimelineEntry]:
    url = id_url("letter-detail")
    rows = (
        Letter.objects.filter(council=council, location=location, status=LetterStatus.ISSUED)
        .only("pk", "title", "reference", "issued_at", "addressee_organisation")
        .order_by("-issued_at")[:limit]
    )
    return [
        TimelineEntry(
            on=timezone.localdate(letter.issued_at),
            kind="Letter",
            title=f"{letter.title} issued",
            detail=f"{letter.reference} to {letter.addressee_organisation}",
            url=url(letter.pk),
        )
        for letter in rows
    ]


def register() -> None:
    extensions.waiting.register(
        Waiting(
            "letters.waiting",
            ("letter to check and issue", "letters to check and issue"),
            "letter-list",
            "notices.issue_letter",
            lambda *, council, user: letters_waiting_count(council=council),
            nav="letters",
            order=20,
        )
    )
    extensions.navigation.register(
        NavEntry(
            name="letters",
            label="Letters",
            url_name="letter-list",
            permission="notices.view_letters",
            order=45,
            sections=("/letters/",),
        )
    )
    extensions.navigation.register(
        NavEntry(
            name="webhooks",
            label="Webhooks",
            url_name="webhook-list",
            permission="notices.manage_webhooks",
            order=85,
            sections=("/webhooks/",),
        )
    )
    extensions.location_page.register(
        Panel("letters", "notices/panels/location_letters.html", location_panel, order=60)
    )
    extensions.object_page.register(
        Panel("letters", "notices/panels/object_letters.html", object_panel, order=10)
    )
    extensions.timeline.register(TimelineSource("letters", "Letters", _timeline, order=60))

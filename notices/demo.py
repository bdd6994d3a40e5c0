"""The letters part of the demo: every letter the demo's moves and decisions asked for is
written (as the worker would), one in each council is issued and emailed, so that each kind of
page has something to show; officers report to a manager, and the time limits are swept up to
today so that due and overdue ones show on the start pages."""

from __future__ import annotations

from django_scopes import scope

from core.letters import SOURCES
from core.sweep import timers_advance
from councils.demo import demo_councils
from councils.models import Membership, Role
from notices.models import Delivery, Letter, LetterStatus
from notices.services import delivery_send, letter_issue, letter_update, letter_write


def _write_all(council) -> int:
    written = 0
    for source in SOURCES.values():
        done = set(
            Letter.objects.filter(council=council, source=source.name).values_list(
                "source_id", flat=True
            )
        )
        for request_id in source.pending(council=council):
            if request_id not in done:
                letter_write(council=council, source=source.name, request_id=request_id)
                written += 1
    return written


def _issue_one(council) -> Letter | None:
    officer = (
        Membership.objects.filter(council=council, role=Role.OFFICER, is_active=True)
        .select_related("user")
        .first()
    )
    letter = Letter.objects.filter(council=council, status=LetterStatus.DRAFT).first()
    if officer is None or letter is None:
        return None
    letter_update(
        letter=letter, actor=officer.user, changes={"email": "registered.manager@example.invalid"}
    )
    letter_issue(letter=letter, actor=officer.user)
    for delivery in Delivery.objects.filter(letter=letter):
        delivery_send(delivery_id=delivery.pk)
    return letter


def _managers(council) -> None:
    """Officers report to the council's first manager (told when their limits are overdue)."""
    manager = Membership.objects.filter(council=council, role=Role.MANAGER).first()
    if manager is not None:
        Membership.objects.filter(council=council, role=Role.OFFICER, reports_to=None).update(
            reports_to=manager.user
        )


def load(echo, **options) -> None:
    for council in demo_councils():
        if not council.active_policy or "letters" not in council.active_policy.content:
            continue
        with scope(council=council):
            _managers(council)
            written = _write_all(council)
            issued = _issue_one(council)
            echo(
                f"{council}: {written} letters written"
                + (f", {issued.title} {issued.reference} issued" if issued else "")
            )
    moved = timers_advance()
    echo(f"Time limits swept to today: {moved} moved on")


def refresh(echo) -> None:
    """On a demo already loaded: letters asked for since are written, the clock swept."""
    for council in demo_councils():
        if council.active_policy and "letters" in council.active_policy.content:
            with scope(council=council):
                _write_all(council)
    timers_advance()

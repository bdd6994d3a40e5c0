"""Alerts from the automatic rules (concerns.triggers): raised once per cause, opening the case
or bringing it up to the stage where the pack says so (003 Key principles: below Good "will
automatically constitute a service provider default"), else queued for an officer to act on or
dismiss."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from concerns import events
from concerns.models import Alert, AlertStatus, Case, Stage
from concerns.pack import Ladder
from concerns.selectors import open_case_of, pending_move
from concerns.services.cases import MAX_TEXT, apply_move, case_lock, case_open
from core.actors import actor_label, require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from councils.models import Council
from providers.models import Location, Provider


def alert_raise(
    *,
    council: Council,
    trigger,
    cause: str,
    detail: str,
    location: Location | None,
    provider: Provider,
) -> Alert | None:
    """Raise a trigger's alert once per cause: open the case (or bring it up to the stage)
    when the pack says so, else queue it for the officers. None when already raised."""
    ladder = Ladder.of(council)
    with transaction.atomic():
        alert, created = Alert.objects.get_or_create(
            council=council,
            trigger=trigger.key,
            cause=cause,
            defaults={
                "rule": trigger.rule,
                "label": trigger.label,
                "detail": detail,
                "suggestion": trigger.suggest
                or (
                    f"Decision for the {ladder.maker_title(trigger.decided_by)}"
                    if trigger.decided_by
                    else ""
                ),
                "seed": trigger.seed,
                "location": location,
                "provider": provider,
            },
        )
        if not created:
            return None
        case = (
            open_case_of(council=council, location=location)
            if location is not None
            else Case.objects.filter(council=council, provider=provider, location__isnull=True)
            .exclude(stage=Stage.CLOSED)
            .first()
        )
        if trigger.action == "open_case":
            case = _bring_to_stage(
                council=council,
                case=case,
                location=location,
                provider=provider,
                stage=trigger.stage,
                reason=f"{trigger.label}: {detail} ({trigger.seed})",
                ladder=ladder,
            )
            alert.opened_case = case is not None
            if case is not None and case.stage == trigger.stage:
                alert.status, alert.handled_at = AlertStatus.ACTED, timezone.now()
                alert.handled_by_label = "System"
                alert.handled_note = f"{case.reference} is at “{ladder.stage_label(case.stage)}”."
        alert.case = case
        alert.save()
        audit_record(
            council=council,
            actor=None,
            action="alert.raised",
            summary=f"{trigger.label}: {location or provider}",
            obj=alert,
            reason=detail,
            data={"trigger": trigger.key, "cause": cause, "case": case.reference if case else None},
        )
        events.alert_raised.publish(council_id=council.pk, alert_id=alert.pk)
    return alert


def _bring_to_stage(
    *, council, case, location, provider, stage: str, reason: str, ladder: Ladder
) -> Case | None:
    """003 Key principles: below Good "will automatically constitute a service provider
    default": open the case if none, and move it up to the stage by the pack's own move."""
    if case is None:
        subject = {"location": location} if location is not None else {"provider": provider}
        case = case_open(council=council, actor=None, summary=reason, **subject)
    if ladder.stage(stage) is None or case.stage == stage:
        return case
    if Stage.values.index(case.stage) > Stage.values.index(stage):
        return case  # already further up the ladder
    move = next((m for m in ladder.moves_from(case.stage) if m.to == stage), None)
    if (
        move is None
        or move.approval is not None
        or move.automatic
        or pending_move(case=case) is not None
    ):
        return case  # a decision is needed: the alert stays in the queue for an officer
    apply_move(
        case=case_lock(case),
        move=move,
        ladder=ladder,
        actor=None,
        reason=reason,
        evidence=[],
        details={},
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def alert_handle(*, alert: Alert, actor, dismiss: bool, note: str) -> Alert:
    """An officer acts on or dismisses a queued alert, with a note."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.NEW:
        raise Conflict("This alert has been handled already.")
    require(actor, "concerns.handle_alert", alert.council, "You may not handle alerts here.")
    if not (note or "").strip() or len(note) > MAX_TEXT:
        raise ValidationFailed("", errors={"note": ["Say what was done, or why it is dismissed."]})
    alert.status = AlertStatus.DISMISSED if dismiss else AlertStatus.ACTED
    alert.handled_at, alert.handled_by_label, alert.handled_note = (
        timezone.now(),
        actor_label(actor),
        note.strip(),
    )
    alert.save()
    audit_record(
        council=alert.council,
        actor=actor,
        action="alert.dismissed" if dismiss else "alert.acted",
        summary=f"{alert.label}: {alert.location or alert.provider}",
        obj=alert,
        reason=note.strip(),
    )
    return alert


@transaction.atomic
def alerts_handle(*, council, actor, ids: list[int], dismiss: bool, note: str) -> int:
    """Several alerts acted on or dismissed at once, with one note (issue 13): all or none.
    Returns how many."""
    require(actor, "concerns.handle_alert", council, "You may not handle alerts here.")
    ids = list(dict.fromkeys(int(i) for i in ids))[:200]
    if not ids:
        raise ValidationFailed("", errors={"ids": ["Select the alerts to handle."]})
    alerts = list(Alert.objects.select_for_update().filter(council=council, pk__in=ids))
    if len(alerts) != len(ids):
        raise ValidationFailed("", errors={"ids": ["Select alerts of this council."]})
    done = [a for a in alerts if a.status != AlertStatus.NEW]
    if done:
        raise Conflict(f"{len(done)} of the selected alerts have been handled already.")
    for alert in alerts:
        alert_handle(alert=alert, actor=actor, dismiss=dismiss, note=note)
    return len(alerts)

"""The safeguarding track beside a case's stage (001 App. 3 Serious Concerns; 003 Whole
Service Concern, which in Somerset is itself a default: Key principles 2): its meetings, its
action plan and its closing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from concerns import events
from concerns.models import Case, SafeguardingMeeting, SafeguardingTrack
from concerns.pack import Ladder
from concerns.permissions import require_pack_role
from concerns.services.cases import MAX_TEXT, case_lock
from core.actors import actor_label
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from monitoring.models import PlanKind
from monitoring.services import plan_create


@transaction.atomic
def safeguarding_open(*, case: Case, actor, reason: str) -> SafeguardingTrack:
    """Open the safeguarding track beside the case's stage (001 App. 3 Serious Concerns;
    003 Whole Service Concern, which in Somerset is itself a default: Key principles 2)."""
    case = case_lock(case)
    ladder = Ladder.of(case.council)
    spec = ladder.safeguarding
    if spec is None:
        raise Conflict("This council's policy has no safeguarding track.")
    if not case.is_open:
        raise Conflict("The case is closed.")
    require_pack_role(actor, case.council, spec.by, ladder.policy, "open it")
    if not (reason or "").strip() or len(reason) > MAX_TEXT:
        raise ValidationFailed("", errors={"reason": ["Give the reason."]})
    if SafeguardingTrack.objects.filter(case=case, closed_at__isnull=True).exists():
        raise Conflict(f"A {spec.label} is already open on {case.reference}.")
    track = SafeguardingTrack.objects.create(
        council=case.council,
        case=case,
        label=spec.label,
        reason=reason.strip(),
        opened_by_label=actor_label(actor),
    )
    audit_record(
        council=case.council,
        actor=actor,
        action="safeguarding.opened",
        summary=f"{spec.label} opened on {case.reference}",
        obj=case,
        reason=reason.strip(),
    )
    events.safeguarding_opened.publish(council_id=case.council_id, track_id=track.pk)
    return track


def _open_track(track: SafeguardingTrack, actor) -> SafeguardingTrack:
    """The track locked, still open, and the person one of the roles the pack names."""
    track = SafeguardingTrack.objects.select_for_update().select_related("case").get(pk=track.pk)
    if not track.is_open:
        raise Conflict(f"The {track.label} is closed.")
    ladder = Ladder.of(track.council)
    allowed = ladder.safeguarding.by if ladder.safeguarding else frozenset()
    require_pack_role(actor, track.council, allowed, ladder.policy, "do this")
    return track


@transaction.atomic
def safeguarding_meeting_record(
    *,
    track: SafeguardingTrack,
    actor,
    held_on: dt.date,
    attendees: str,
    notes: str,
    next_meeting_on: dt.date | None = None,
) -> SafeguardingMeeting:
    errors: dict[str, list[str]] = {}
    if not isinstance(held_on, dt.date) or held_on > timezone.localdate():
        errors["held_on"] = ["The meeting date must be today or in the past."]
    if not (attendees or "").strip():
        errors["attendees"] = ["List who attended."]
    if not (notes or "").strip():
        errors["notes"] = ["Record what the meeting considered and agreed."]
    if next_meeting_on is not None and isinstance(held_on, dt.date) and next_meeting_on <= held_on:
        errors["next_meeting_on"] = ["The next meeting comes after this one."]
    if errors:
        raise ValidationFailed("The meeting could not be recorded.", errors=errors)
    track = _open_track(track, actor)
    meeting = SafeguardingMeeting.objects.create(
        council=track.council,
        track=track,
        held_on=held_on,
        attendees=attendees.strip(),
        notes=notes.strip(),
        next_meeting_on=next_meeting_on,
        recorded_by_label=actor_label(actor),
    )
    audit_record(
        council=track.council,
        actor=actor,
        action="safeguarding.meeting",
        summary=f"{track.label} meeting of {held_on:%d %b %Y} recorded ({track.case.reference})",
        obj=track.case,
    )
    return meeting


@transaction.atomic
def safeguarding_plan_start(*, track: SafeguardingTrack, actor, title: str, started_on: dt.date):
    """The Serious Concerns action plan (001 App. 3): the same structure as improvement plans."""
    track = _open_track(track, actor)
    if track.plan_id:
        raise Conflict("This track already has its action plan.")
    location = track.case.location
    if location is None:
        raise ValidationFailed("", errors={"location": ["A plan is agreed for one location."]})
    plan = plan_create(
        council=track.council,
        location=location,
        actor=actor,
        kind=PlanKind.SERIOUS_CONCERNS,
        title=title,
        started_on=started_on,
    )
    track.plan = plan
    track.save(update_fields=["plan"])
    return plan


@transaction.atomic
def safeguarding_close(*, track: SafeguardingTrack, actor, reason: str) -> None:
    track = _open_track(track, actor)
    if not (reason or "").strip():
        raise ValidationFailed("", errors={"reason": ["Say why it ends."]})
    track.closed_at, track.closed_reason = timezone.now(), reason.strip()
    track.save(update_fields=["closed_at", "closed_reason"])
    audit_record(
        council=track.council,
        actor=actor,
        action="safeguarding.closed",
        summary=f"{track.label} closed on {track.case.reference}",
        obj=track.case,
        reason=reason.strip(),
    )

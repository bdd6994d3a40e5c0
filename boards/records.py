"""What a meeting leaves behind: its minutes (or notes, when it was not quorate), each agenda
item's discussion and outcome, the actions agreed (who, what, by when, who monitors) tracked as
timers, the record approved at the next meeting, the provider's part sent to the provider as a
letter (003 Appendix 1 Table 3), and the report to the body the pack names (001 Appendix 3: the
Safeguarding Adults Board is told each time the Serious Concerns procedure is used)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from boards.models import Action, AgendaItem, Meeting, MeetingStatus
from boards.services import board_def, board_require
from boards.timers import ACTION
from core.audit import audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.letters import letter_requested
from core.limits import date_problem, years_ahead
from core.timers import timer_start, timers_meet
from councils.permissions import is_member

LETTER_SOURCE = "boards.record"
ITEM_TEXT_MAX = 20_000


def _held(meeting: Meeting, doing: str) -> None:
    if meeting.status != MeetingStatus.HELD:
        raise Conflict(
            f"{meeting.reference} has not been held: record its attendance before {doing}."
        )


def _open(meeting: Meeting) -> None:
    if meeting.approved_at_id:
        raise Conflict(
            f"The {meeting.record} of {meeting.reference} have been approved: they are closed."
        )


@transaction.atomic
def minutes_write(*, meeting: Meeting, actor, items: dict[int, dict]) -> Meeting:
    """Each agenda item's key discussion points and what was agreed, and whether it is part
    of what the provider is sent. Minutes of a quorate meeting, notes of one that was not
    (003 Appendix 4 ToR 5); closed once approved."""
    board_require(actor, "boards.run_meetings", meeting.council)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _held(meeting, f"writing its {meeting.record}")
    _open(meeting)
    agenda = {i.pk: i for i in AgendaItem.objects.filter(meeting=meeting)}
    errors: dict[str, list[str]] = {}
    if any(int(k) not in agenda for k in items):
        errors["items"] = ["Write only about this meeting's agenda items."]
    for k, v in items.items():
        for name in ("discussion", "outcome"):
            if len(str(v.get(name, ""))) > ITEM_TEXT_MAX:
                errors[f"{name}_{k}"] = [f"Write no more than {ITEM_TEXT_MAX:,} characters."]
    if errors:
        raise ValidationFailed(f"The {meeting.record} could not be saved.", errors=errors)
    changed = []
    for k, v in items.items():
        item = agenda[int(k)]
        item.discussion = str(v.get("discussion", "")).strip()
        item.outcome = str(v.get("outcome", "")).strip()
        item.for_provider = bool(v.get("for_provider", False))
        changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["discussion", "outcome", "for_provider"])
    audit_record(
        council=meeting.council,
        actor=actor,
        action="board.record_written",
        summary=f"{meeting.reference}: {meeting.record} written for {len(changed)} item(s)",
        obj=meeting,
    )
    return meeting


@transaction.atomic
def action_add(
    *,
    meeting: Meeting,
    actor,
    what: str,
    action_by: str,
    due_on: dt.date,
    item: int | None = None,
    owner=None,
    monitored_by: str = "",
    for_provider: bool = False,
) -> Action:
    """An action the meeting agreed (003 Appendix 1 Table 3; 001 Appendix 3: what is to be
    improved, who improves it, who in the council monitors it, by when), tracked as a timer
    owned by the council's person who sees it through."""
    council = meeting.council
    board_require(actor, "boards.run_meetings", council)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _held(meeting, "adding its actions")
    _open(meeting)
    bdef = board_def(council=council, board=meeting.board)
    errors: dict[str, list[str]] = {}
    what, action_by, monitored_by = what.strip(), action_by.strip(), monitored_by.strip()
    if not what:
        errors["what"] = ["Enter what is to be done."]
    elif len(what) > 2000:
        errors["what"] = ["Write no more than 2,000 characters."]
    if not action_by:
        errors["action_by"] = ["Enter who does it."]
    elif len(action_by) > 200:
        errors["action_by"] = ["Write no more than 200 characters."]
    if len(monitored_by) > 200:
        errors["monitored_by"] = ["Write no more than 200 characters."]
    problem = date_problem(due_on, latest=years_ahead(timezone.localdate(), 2))
    if not problem and due_on < meeting.meets_on:
        problem = "The date is on or after the meeting."
    if problem:
        errors["due_on"] = [problem]
    if item is not None and not AgendaItem.objects.filter(meeting=meeting, pk=item).exists():
        errors["item"] = ["Choose one of this meeting's agenda items."]
    # A partner's seat on a board (external member) does not work for the council: it would
    # never see the timer it owned (issue 12).
    if owner is not None and not is_member(owner, council):
        errors["owner"] = ["Choose someone who works for the council."]
    if errors:
        raise ValidationFailed("The action could not be added.", errors=errors)
    action = Action.objects.create(
        council=council,
        meeting=meeting,
        item_id=item,
        what=what,
        action_by=action_by,
        owner=owner,
        monitored_by=monitored_by,
        due_on=due_on,
        for_provider=for_provider,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    timer_start(
        council=council,
        kind=ACTION,
        subject=action,
        due_on=due_on,
        label=f"{meeting.reference} action: {what[:120]}",
        seed=bdef.seed,
        owner=owner or (actor if getattr(actor, "pk", None) else None),
    )
    audit_record(
        council=council,
        actor=actor,
        action="board.action_added",
        summary=f"{meeting.reference}: {what[:120]} ({action_by}, by {due_on:%-d %B %Y})",
        obj=meeting,
    )
    return action


@transaction.atomic
def action_done(*, action: Action, actor, done_on: dt.date | None = None, note: str = "") -> Action:
    """The action was done: its timer is met (late ones say so)."""
    council = action.council
    if not (actor.has_perm("boards.run_meetings", council) or action.owner_id == actor.pk):
        raise NotAllowed("Only the action's owner or the board's secretariat records it done.")
    action = Action.objects.select_for_update().select_related("meeting").get(pk=action.pk)
    if action.done_on:
        raise Conflict(f"The action was recorded as done on {action.done_on:%-d %B %Y}.")
    done_on = done_on or timezone.localdate()
    problem = date_problem(done_on, latest=timezone.localdate())
    if not problem and done_on < action.meeting.meets_on:
        problem = "The date is on or after the meeting that agreed it."
    if problem:
        raise ValidationFailed("", errors={"done_on": [problem]})
    if len(note) > 1000:
        raise ValidationFailed("", errors={"note": ["Write no more than 1,000 characters."]})
    action.done_on, action.done_note = done_on, note.strip()
    action.save(update_fields=["done_on", "done_note"])
    late = done_on > action.due_on
    timers_meet(
        council=council,
        subject=action,
        kinds=[ACTION],
        outcome=f"Done on {done_on:%-d %B %Y}" + (" (after its date)" if late else ""),
    )
    audit_record(
        council=council,
        actor=actor,
        action="board.action_done",
        summary=f"{action.meeting.reference}: done: {action.what[:120]}",
        obj=action.meeting,
        reason=note,
    )
    return action


@transaction.atomic
def minutes_approve(*, meeting: Meeting, actor, at: Meeting) -> Meeting:
    """The record of a meeting is approved at a later meeting of the same board, held and
    quorate; from then on it is closed."""
    council = meeting.council
    board_require(actor, "boards.run_meetings", council)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _held(meeting, "approving its record")
    _open(meeting)
    problem = ""
    if at.council_id != council.pk or at.board != meeting.board or at.pk == meeting.pk:
        problem = "Choose a later meeting of the same board."
    elif (at.meets_on, at.pk) <= (meeting.meets_on, meeting.pk):
        problem = f"{at.reference} was before {meeting.reference}: the next meeting approves."
    elif at.status != MeetingStatus.HELD:
        problem = f"{at.reference} has not been held yet."
    elif at.quorate is False:
        problem = f"{at.reference} was not quorate: it approves no minutes."
    if problem:
        raise ValidationFailed("", errors={"at": [problem]})
    meeting.approved_at = at
    meeting.save(update_fields=["approved_at"])
    audit_record(
        council=council,
        actor=actor,
        action="board.record_approved",
        summary=f"{meeting.reference}: {meeting.record} approved at {at.reference}",
        obj=meeting,
    )
    return meeting


@transaction.atomic
def provider_notes_send(*, meeting: Meeting, actor) -> Meeting:
    """Ask the letters app for the provider's part of the record: the items and actions
    marked for the provider (003 Appendix 1 Table 3, "QIM Notes and Actions")."""
    council = meeting.council
    board_require(actor, "boards.run_meetings", council)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    bdef = board_def(council=council, board=meeting.board)
    _held(meeting, "sending the provider its notes")
    if not bdef.provider_letter or meeting.provider_id is None:
        raise Conflict(
            f"The council's procedure sends no letter to a provider after a {bdef.name}."
        )
    if meeting.provider_letter:
        # Written once a request: asked again it would wait in letters for ever.
        raise Conflict(
            f"The provider was sent its notes as {meeting.provider_letter}: correct that letter "
            "in letters to change them."
        )
    if meeting.provider_letter_requested_at:
        raise Conflict("The provider's letter has been asked for: it is waiting in letters.")
    if not (
        AgendaItem.objects.filter(meeting=meeting, for_provider=True).exists()
        or Action.objects.filter(meeting=meeting, for_provider=True).exists()
    ):
        raise ValidationFailed(
            "", errors={"for_provider": ["Mark the items or actions the provider is sent."]}
        )
    meeting.provider_letter_requested_at = timezone.now()
    meeting.provider_letter = ""
    meeting.save(update_fields=["provider_letter_requested_at", "provider_letter"])
    audit_record(
        council=council,
        actor=actor,
        action="board.provider_notes_requested",
        summary=f"{meeting.reference}: the provider's notes and actions asked for as a letter",
        obj=meeting,
    )
    letter_requested.publish(council_id=council.pk, source=LETTER_SOURCE, request_id=meeting.pk)
    return meeting


@transaction.atomic
def report_record(*, meeting: Meeting, actor, reported_on: dt.date | None = None) -> Meeting:
    """The meeting was reported to the body the pack names (001 Appendix 3, Monitoring of
    Serious Concerns: "The Safeguarding Adults Board will be informed each time the Serious
    Concerns procedure is implemented")."""
    council = meeting.council
    board_require(actor, "boards.run_meetings", council)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    bdef = board_def(council=council, board=meeting.board)
    if not bdef.reports_to:
        raise Conflict(f"The council's procedure asks no report after a {bdef.name}.")
    _held(meeting, "reporting it")
    if meeting.reported_on:
        raise Conflict(f"{meeting.reference} was reported on {meeting.reported_on:%-d %B %Y}.")
    reported_on = reported_on or timezone.localdate()
    problem = date_problem(reported_on, latest=timezone.localdate())
    if not problem and reported_on < meeting.meets_on:
        problem = "The date is on or after the meeting."
    if problem:
        raise ValidationFailed("", errors={"reported_on": [problem]})
    meeting.reported_on = reported_on
    meeting.save(update_fields=["reported_on"])
    audit_record(
        council=council,
        actor=actor,
        action="board.reported",
        summary=f"{meeting.reference}: reported to {bdef.reports_to.split(',')[0]}",
        obj=meeting,
    )
    return meeting

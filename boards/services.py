"""Writes for boards and meetings: members by post, meetings scheduled (with the pack's standing
agenda), items referred to a meeting, and attendance, from which the quorum is computed by the
pack's rule (003 Appendix 4 ToR 5), never ticked by hand."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from boards.models import AgendaItem, Attendance, Meeting, MeetingKind, MeetingStatus, Member
from boards.pack import BoardDef, Boards
from boards.quorum import Present, quorum_of
from boards.timers import PAPERS
from core.actors import actor_label
from core.audit import audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.limits import date_problem, years_ahead
from core.references import next_reference
from core.timers import timer_start, timers_meet
from councils.models import Role
from councils.permissions import roles_in
from councils.policy import policy_of
from councils.selectors import acting_decision_makers
from decisions.models import Recommendation, Status


def board_def(*, council, board: str) -> BoardDef:
    found = Boards.of(council).get(board)
    if found is None:
        raise ValidationFailed("", errors={"board": ["Not one of the council's boards."]})
    return found


def board_require(actor, perm: str, council) -> None:
    """The person may do this in the council (pages and the API check first; so does the
    service)."""
    if not actor.has_perm(perm, council):
        raise NotAllowed("Your role does not allow this.")


@transaction.atomic
def member_add(
    *,
    council,
    actor,
    board: str,
    name: str,
    posts: list[str],
    organisation: str = "",
    user=None,
    chair: bool = False,
    vice_chair: bool = False,
    joined_on: dt.date | None = None,
) -> Member:
    """Someone joins a board in one or more of its posts (003 Appendix 4 Appendix 1)."""
    board_require(actor, "boards.manage_members", council)
    bdef = board_def(council=council, board=board)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Enter the member's name."]
    unknown = [p for p in posts if bdef.post(p) is None]
    if not posts or unknown:
        errors["posts"] = [
            "Choose the member's posts on this board"
            + (f": {', '.join(unknown)} is not one." if unknown else ".")
        ]
    if chair and vice_chair:
        errors["vice_chair"] = ["A member is the chair or the vice chair, not both."]
    joined_on = joined_on or timezone.localdate()
    problem = date_problem(joined_on, latest=timezone.localdate() + dt.timedelta(days=366))
    if problem:
        errors["joined_on"] = [problem]
    if errors:
        raise ValidationFailed("The member could not be added.", errors=errors)
    member = Member.objects.create(
        council=council,
        board=bdef.key,
        user=user,
        name=name.strip(),
        organisation=organisation.strip(),
        posts=list(dict.fromkeys(posts)),
        chair=chair,
        vice_chair=vice_chair,
        joined_on=joined_on,
    )
    audit_record(
        council=council,
        actor=actor,
        action="board.member_added",
        summary=f"{member} joined the {bdef.name}",
        obj=member,
        data={"posts": member.posts, "chair": chair, "vice_chair": vice_chair},
    )
    return member


@transaction.atomic
def meeting_schedule(
    *,
    council,
    actor,
    board: str,
    meets_on: dt.date,
    kind: str = MeetingKind.SCHEDULED,
    virtual: bool = False,
    provider=None,
    location=None,
    follows: Meeting | None = None,
) -> Meeting:
    """A meeting of a board, its agenda opened with the pack's standing items. Virtual only
    when urgent and the board allows it (003 Appendix 4 ToR 5). Called only by whom the pack
    names (001 Appendix 3: the SAB's Chair, the DASS or a delegated manager); about one
    provider where the board's meetings are (a QIM, a Serious Concerns meeting)."""
    board_require(actor, "boards.run_meetings", council)
    bdef = board_def(council=council, board=board)
    called_by = _caller(actor=actor, council=council, bdef=bdef)
    errors: dict[str, list[str]] = {}
    if follows is not None:
        if follows.council_id != council.pk or follows.board != bdef.key:
            errors["follows"] = ["Choose a meeting of the same board."]
        else:
            provider = provider or follows.provider
            location = location or follows.location
    if bdef.about_provider and provider is None and location is None:
        errors["provider"] = [f"Choose the provider the {bdef.name} is about."]
    if location is not None:
        if provider is not None and location.provider_id != provider.pk:
            errors["location"] = ["Choose one of the provider's locations."]
        provider = provider or location.provider
    if kind not in MeetingKind.values:
        errors["kind"] = ["Choose scheduled or urgent."]
    if virtual and (kind != MeetingKind.URGENT or not bdef.urgent_virtual):
        errors["virtual"] = [
            f"The {bdef.name} meets virtually only for an urgent decision"
            if bdef.urgent_virtual
            else f"The council's procedure does not provide for the {bdef.name} to meet virtually"
        ]
    problem = date_problem(meets_on, latest=years_ahead(timezone.localdate(), 2))
    if problem:
        errors["meets_on"] = [problem]
    if errors:
        raise ValidationFailed("The meeting could not be arranged.", errors=errors)
    meeting = Meeting.objects.create(
        council=council,
        board=bdef.key,
        reference=next_reference(council=council, model=Meeting, prefix="MTG"),
        kind=kind,
        virtual=virtual,
        meets_on=meets_on,
        provider=provider,
        location=location,
        follows=follows,
        called_by=called_by,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(council=council, meeting=meeting, position=n, title=title[:300], standing=True)
        for n, title in enumerate(bdef.agenda, start=1)
    )
    if bdef.papers_days_before is not None:
        # 003 Appendix 4 ToR 2: "Papers to be issued to all members at least a week in advance"
        timer_start(
            council=council,
            kind=PAPERS,
            subject=meeting,
            due_on=meets_on - dt.timedelta(days=bdef.papers_days_before),
            label=f"Papers for {meeting.reference} to every member of the {bdef.name}",
            seed=bdef.papers_seed,
            owner=actor if getattr(actor, "pk", None) else None,
        )
    audit_record(
        council=council,
        actor=actor,
        action="board.meeting_scheduled",
        summary=f"{meeting.reference}: the {bdef.name} on {meets_on:%d %B %Y}",
        obj=meeting,
    )
    return meeting


def _caller(*, actor, council, bdef: BoardDef) -> str:
    """Who calls the meeting, in words, where the pack says who may (001 Appendix 3,
    Instigating Serious Concerns Meeting); NotAllowed for anyone else."""
    if not (bdef.may_call_makers or bdef.may_call_roles):
        return ""
    policy = policy_of(council)
    for key in bdef.may_call_makers:
        maker = policy.decision_makers.get(key)
        if maker is None:
            continue
        acting = acting_decision_makers(council=council, title=maker.title)
        if any(u.pk == actor.pk for u in acting):
            return f"{actor_label(actor)} ({maker.title})"[:300]
    roles = roles_in(actor, council)
    for role in bdef.may_call_roles:
        if role in roles:
            words = policy.role_label(role) or Role(role).label
            return f"{actor_label(actor)} ({words})"[:300]
    raise NotAllowed(
        f"Only {bdef.called_by[:1].lower()}{bdef.called_by[1:]} may call a "
        f"{bdef.name} ({bdef.may_call_seed})."
    )


def papers_late(meeting: Meeting, bdef: BoardDef) -> str:
    """Why the papers went out later than the procedure asks, or "" (003 Appendix 4 ToR 2)."""
    days = bdef.papers_days_before
    if days is None or meeting.papers_issued_on is None:
        return ""
    ahead = (meeting.meets_on - meeting.papers_issued_on).days
    if ahead >= days:
        return ""
    return (
        f"The papers went out {ahead} day{'s' if ahead != 1 else ''} before the meeting: the "
        f"procedure asks for at least {days} ({bdef.papers_seed})"
    )


@transaction.atomic
def papers_issue(*, meeting: Meeting, actor, issued_on: dt.date | None = None) -> str:
    """The papers went to every member: the time limit is met; late ones are said so and
    audited. Returns the warning, or ""."""
    council = meeting.council
    board_require(actor, "boards.run_meetings", council)
    if meeting.status != MeetingStatus.PLANNED:
        raise Conflict(f"{meeting.reference} has been held or cancelled.")
    issued_on = issued_on or timezone.localdate()
    problem = date_problem(issued_on, latest=timezone.localdate())
    if not problem and issued_on > meeting.meets_on:
        problem = "The papers go out before the meeting."
    if problem:
        raise ValidationFailed("", errors={"issued_on": [problem]})
    bdef = board_def(council=council, board=meeting.board)
    meeting.papers_issued_on = issued_on
    meeting.save(update_fields=["papers_issued_on"])
    late = papers_late(meeting, bdef)
    timers_meet(
        council=council,
        subject=meeting,
        kinds=[PAPERS],
        outcome=late or f"Papers issued on {issued_on:%-d %B %Y}",
    )
    audit_record(
        council=council,
        actor=actor,
        action="board.papers_issued",
        summary=f"{meeting.reference}: papers issued on {issued_on:%-d %B %Y}",
        obj=meeting,
        reason=late,
    )
    return late


@transaction.atomic
def agenda_refer(*, meeting: Meeting, actor, recommendation: Recommendation) -> AgendaItem:
    """Put a recommendation waiting for the board's decision on a meeting's agenda."""
    council = meeting.council
    board_require(actor, "boards.run_meetings", council)
    if meeting.status != MeetingStatus.PLANNED:
        raise Conflict(f"{meeting.reference} has been held: its agenda is closed.")
    if recommendation.council_id != council.pk:
        raise ValidationFailed("", errors={"recommendation": ["No such recommendation."]})
    if recommendation.status != Status.PENDING:
        raise ValidationFailed(
            "", errors={"recommendation": [f"{recommendation.reference} is decided already."]}
        )
    if meeting.agenda.filter(recommendation=recommendation).exists():
        raise Conflict(f"{recommendation.reference} is on this meeting's agenda already.")
    position = (
        meeting.agenda.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    item = AgendaItem.objects.create(
        council=council,
        meeting=meeting,
        position=position,
        title=f"{recommendation.reference}: {recommendation.label}"[:300],
        recommendation=recommendation,
    )
    audit_record(
        council=council,
        actor=actor,
        action="board.item_referred",
        summary=f"{recommendation.reference} on the agenda of {meeting.reference}",
        obj=meeting,
    )
    return item


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    actor,
    present: list[int],
    apologies: list[int] | None = None,
    interests: dict[int, str] | None = None,
    responses: dict[int, str] | None = None,
) -> Meeting:
    """Who attended (and who declared an interest): the meeting is held, and its quorum
    computed from the members present by the pack's rule; a meeting that is not quorate
    keeps notes, not minutes, and takes no decisions (003 Appendix 4 ToR 5)."""
    council = meeting.council
    board_require(actor, "boards.run_meetings", council)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(f"{meeting.reference} was cancelled.")
    if meeting.approved_at_id:
        # Who attended is part of the record, closed once approved (and the quorum with it).
        raise Conflict(f"The {meeting.record} of {meeting.reference} have been approved.")
    if meeting.meets_on > timezone.localdate():
        raise Conflict(f"{meeting.reference} is on {meeting.meets_on:%d %B %Y}: not yet held.")
    bdef = board_def(council=council, board=meeting.board)
    apologies = apologies or []
    interests = {
        int(k): str(v).strip()[:500] for k, v in (interests or {}).items() if str(v).strip()
    }
    responses = {
        int(k): str(v).strip()[:500] for k, v in (responses or {}).items() if str(v).strip()
    }
    members = {
        m.pk: m
        for m in Member.objects.filter(council=council, board=meeting.board).filter(
            joined_on__lte=meeting.meets_on
        )
    }
    errors: dict[str, list[str]] = {}
    strangers = [i for i in [*present, *apologies, *interests] if i not in members]
    if strangers:
        errors["present"] = ["Choose members of this board."]
    if set(present) & set(apologies):
        errors["apologies"] = ["A member who sent apologies was not present."]
    if set(interests) - set(present):
        errors["interests"] = ["Only a member present declares an interest."]
    if responses and not meeting.virtual:
        errors["responses"] = ["Responses are recorded for a meeting held virtually."]
    elif set(responses) - set(present):
        errors["responses"] = ["Only a member who took part gives a response."]
    if errors:
        raise ValidationFailed("The attendance could not be recorded.", errors=errors)
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create(
        [
            Attendance(
                council=council,
                meeting=meeting,
                member_id=mid,
                present=mid in present,
                apologies=mid in apologies,
                declared_interest=interests.get(mid, ""),
                response=responses.get(mid, ""),
            )
            for mid in dict.fromkeys([*present, *apologies])
        ]
    )
    quorum = quorum_of(
        bdef,
        [
            Present(member_id=mid, posts=frozenset(members[mid].posts))
            for mid in dict.fromkeys(present)
        ],
    )
    meeting.quorate = quorum.quorate
    meeting.quorum_reasons = list(quorum.reasons)
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["quorate", "quorum_reasons", "status"])
    audit_record(
        council=council,
        actor=actor,
        action="board.attendance_recorded",
        summary=f"{meeting.reference}: {'quorate' if quorum.quorate else 'not quorate'} "
        f"({quorum.summary})",
        obj=meeting,
        data={
            "present": list(present),
            "apologies": apologies,
            "interests": interests,
            "responses": responses,
        },
    )
    return meeting

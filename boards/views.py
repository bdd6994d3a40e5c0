"""Pages for boards and meetings. Thin: forms in, selectors and services out. The meeting page
takes each of its forms back by a hidden `action`; a form that fails is shown again bound,
with the others as they were."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from boards import records, selectors
from boards.forms import (
    ActionDoneForm,
    ActionForm,
    ApproveForm,
    AttendanceForm,
    FollowUpForm,
    MeetingForm,
    PapersForm,
    ProviderNotesForm,
    RecordForm,
    ReportForm,
)
from boards.models import Action, MeetingKind, MeetingStatus, Member
from boards.pack import Boards
from boards.services import attendance_record, meeting_schedule, papers_issue, papers_late
from core.errors import Conflict
from core.forms import on_form
from core.pdf import pdf_render
from core.views import council_view, require_perm


@council_view("boards.view")
def board_list(request):
    return render(
        request,
        "boards/board_list.html",
        {"boards": selectors.boards(council=request.council, user=request.user)},
    )


def _board(request, key: str):
    board = next(
        (b for b in selectors.boards(council=request.council, user=request.user) if b.key == key),
        None,
    )
    if board is None:
        raise Http404
    return board


@council_view("boards.view")
def board_detail(request, key: str):
    board = _board(request, key)
    can_run = request.user.has_perm("boards.run_meetings", request.council)
    form = (
        MeetingForm(
            request.POST or None, council=request.council, about_provider=board.about_provider
        )
        if can_run
        else None
    )
    if request.method == "POST":
        require_perm(request, "boards.run_meetings")
        if form.is_valid():
            ok, meeting = on_form(
                form,
                lambda: meeting_schedule(
                    council=request.council, actor=request.user, board=key, **form.values()
                ),
            )
            if ok:
                messages.success(request, f"{meeting.reference} arranged.")
                return redirect("meeting-detail", pk=meeting.pk)
    context = selectors.board_page(council=request.council, board=board, today=timezone.localdate())
    return render(
        request,
        "boards/board_detail.html",
        {"board": board, "form": form, **context},
        status=400 if form is not None and form.errors else 200,
    )


@council_view("boards.view")
def my_meetings(request):
    context = selectors.my_meetings(
        council=request.council, user=request.user, today=timezone.localdate()
    )
    return render(request, "boards/my_meetings.html", context)


def _meeting(request, pk: int):
    meeting = (
        selectors.meeting_detail_queryset(council=request.council, user=request.user)
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


class MeetingPage:
    """The meeting page's forms, each unbound unless it is the one posted."""

    def __init__(self, request, meeting):
        self.request, self.meeting = request, meeting
        self.board = Boards.of(request.council).get(meeting.board)
        self.can_run = request.user.has_perm("boards.run_meetings", request.council)
        self.action = request.POST.get("action", "attendance") if request.method == "POST" else ""
        self.held = meeting.status == MeetingStatus.HELD
        self.open = self.held and meeting.approved_at_id is None
        self.items = list(meeting.agenda.all())
        self.provider_part = bool(self.board.provider_letter and meeting.provider_id)

    def data(self, name: str):
        return self.request.POST if self.action == name else None

    def forms(self) -> dict:
        m, run = self.meeting, self.can_run
        members = Member.objects.filter(
            council=m.council, board=m.board, joined_on__lte=m.meets_on
        ).order_by("name")
        initial = {}
        for a in m.attendance.all():
            initial |= {
                f"present_{a.member_id}": a.present,
                f"apologies_{a.member_id}": a.apologies,
                f"interest_{a.member_id}": a.declared_interest,
                f"response_{a.member_id}": a.response,
            }
        planned = m.status == MeetingStatus.PLANNED
        return {
            "papers_form": PapersForm(self.data("papers"), prefix="papers")
            if run and planned
            else None,
            "form": AttendanceForm(
                self.data("attendance"), members=members, initial=initial, virtual=m.virtual
            )
            if run and m.status != MeetingStatus.CANCELLED and not m.approved_at_id
            else None,
            "action_form": ActionForm(
                self.data("action_add"),
                council=m.council,
                items=self.items,
                provider_part=self.provider_part,
                prefix="action",
            )
            if run and self.open
            else None,
            "done_form": ActionDoneForm(self.data("action_done"), prefix="done"),
            "approve_form": ApproveForm(
                self.data("approve"),
                later=selectors.later_meetings(meeting=m),
                prefix="approve",
            )
            if run and self.open
            else None,
            "report_form": ReportForm(self.data("report"), prefix="report")
            if run and self.held and self.board.reports_to and not m.reported_on
            else None,
            "notes_form": ProviderNotesForm(self.data("provider_notes") or {}, prefix="notes")
            if run and self.held and self.provider_part
            else None,
            "follow_up_form": FollowUpForm(self.data("follow_up"), prefix="follow")
            if run and self.held and self.board.about_provider
            else None,
        }

    def post(self, forms: dict):
        """Run the posted form's service: a redirect when done, None to show the page again."""
        r, m, act = self.request, self.meeting, self.action
        user = r.user
        if act == "action_done":
            form = forms["done_form"]
            if not form.is_valid():
                return None
            action = Action.objects.filter(meeting=m, pk=form.cleaned_data["action_id"]).first()
            if action is None:
                raise Http404
            ok, _ = on_form(
                form,
                lambda: records.action_done(
                    action=action, actor=user, note=form.cleaned_data["note"]
                ),
            )
            return self._done(ok, "Action recorded as done.")
        require_perm(r, "boards.run_meetings")
        if act == "provider_notes":
            form = forms.get("notes_form")
            if form is None or not form.is_valid():
                return None
            ok, _ = on_form(form, lambda: records.provider_notes_send(meeting=m, actor=user))
            return self._done(ok, "The provider's notes and actions are waiting in letters.")
        name = {
            "papers": "papers_form",
            "attendance": "form",
            "action_add": "action_form",
            "approve": "approve_form",
            "report": "report_form",
            "follow_up": "follow_up_form",
        }.get(act)
        form = forms.get(name) if name else None
        if name and form is None:
            # Not offered at this point of the meeting: say why, as the API does (409).
            raise Conflict(
                f"The {m.record} of {m.reference} have been approved: they are closed."
                if m.approved_at_id
                else f"That is not open for {m.reference} now."
            )
        if form is None or not form.is_valid():
            return None
        d = form.cleaned_data
        if act == "papers":
            ok, late = on_form(
                form, lambda: papers_issue(meeting=m, actor=user, issued_on=d["issued_on"])
            )
            if ok and late:
                messages.warning(r, late)
                return redirect("meeting-detail", pk=m.pk)
            return self._done(ok, "Papers recorded as issued.")
        if act == "attendance":
            ok, _ = on_form(form, lambda: attendance_record(meeting=m, actor=user, **form.values()))
            return self._done(ok, "Attendance recorded.")
        if act == "action_add":
            ok, _ = on_form(form, lambda: records.action_add(meeting=m, actor=user, **d))
            return self._done(ok, "Action added.")
        if act == "approve":
            at = selectors.meetings(council=r.council).filter(pk=d["at"]).first()
            ok, _ = on_form(
                form, lambda: records.minutes_approve(meeting=m, actor=user, at=at or m)
            )
            return self._done(ok, f"The {m.record} are approved.")
        if act == "report":
            ok, _ = on_form(
                form,
                lambda: records.report_record(meeting=m, actor=user, reported_on=d["reported_on"]),
            )
            return self._done(ok, "Report recorded.")
        ok, follow = on_form(
            form,
            lambda: meeting_schedule(
                council=r.council,
                actor=user,
                board=m.board,
                meets_on=d["meets_on"],
                kind=MeetingKind.SCHEDULED,
                follows=m,
            ),
        )
        if ok:
            messages.success(r, f"{follow.reference} arranged to follow up {m.reference}.")
            return redirect("meeting-detail", pk=follow.pk)
        return None

    def _done(self, ok: bool, message: str):
        if not ok:
            return None
        messages.success(self.request, message)
        return redirect("meeting-detail", pk=self.meeting.pk)


@council_view("boards.view")
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    page = MeetingPage(request, meeting)
    forms = page.forms()
    if request.method == "POST":
        done = page.post(forms)
        if done is not None:
            return done
    failed = next((f for f in forms.values() if f is not None and f.is_bound and f.errors), None)
    return render(
        request,
        "boards/meeting_detail.html",
        {
            "meeting": meeting,
            "board": page.board,
            "items": page.items,
            "held": page.held,
            "open": page.open,
            "can_run": page.can_run,
            "provider_part": page.provider_part,
            "due": meeting.meets_on <= timezone.localdate(),
            "papers_late": papers_late(meeting, page.board),
            "posted": page.action,
            "failed_form": failed,
            "today": timezone.localdate(),
            "user_id": request.user.pk,
            **forms,
        },
        status=400 if failed is not None else 200,
    )


@council_view("boards.view")
def meeting_pdf(request, pk: int, part: str):
    """The papers pack, the minutes (or notes), or the report to the body the pack names, as
    a tagged PDF made by the same renderer as the letters."""
    meeting = _meeting(request, pk)
    board = Boards.of(request.council).get(meeting.board)
    if part not in ("papers", "record", "report") or (part == "report" and not board.reports_to):
        raise Http404
    html = render_to_string(
        "boards/meeting_pdf.html",
        {
            "meeting": meeting,
            "board": board,
            "part": part,
            "council": request.council,
            "items": list(meeting.agenda.all()),
            "today": timezone.localdate(),
        },
        request=request,
    )
    response = HttpResponse(pdf_render(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{meeting.reference}-{part}.pdf"'
    return response


@council_view("boards.run_meetings")
def meeting_record(request, pk: int):
    """The minutes (or notes) on a page of their own: each agenda item's key discussion
    points and what was agreed (003 Appendix 1 Table 3)."""
    meeting = _meeting(request, pk)
    board = Boards.of(request.council).get(meeting.board)
    if meeting.status != MeetingStatus.HELD or meeting.approved_at_id:
        raise Conflict(
            f"The {meeting.record} of {meeting.reference} have been approved: they are closed."
            if meeting.approved_at_id
            else f"{meeting.reference} has not been held: record its attendance first."
        )
    items = list(meeting.agenda.all())
    initial = {}
    for i in items:
        initial |= {
            f"discussion_{i.pk}": i.discussion,
            f"outcome_{i.pk}": i.outcome,
            f"for_provider_{i.pk}": i.for_provider,
        }
    form = RecordForm(
        request.POST or None,
        items=items,
        provider_part=bool(board.provider_letter and meeting.provider_id),
        initial=initial,
        prefix="record",
    )
    if request.method == "POST" and form.is_valid():
        ok, _ = on_form(
            form,
            lambda: records.minutes_write(meeting=meeting, actor=request.user, **form.values()),
        )
        if ok:
            messages.success(request, f"The {meeting.record} are saved.")
            return redirect("meeting-detail", pk=meeting.pk)
    return render(
        request,
        "boards/meeting_record.html",
        {"meeting": meeting, "board": board, "form": form},
        status=400 if form.errors else 200,
    )

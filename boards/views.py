"""Pages for boards and meetings. Thin: forms in, selectors and services out."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from boards import selectors
from boards.forms import AttendanceForm, MeetingForm, PapersForm
from boards.models import MeetingStatus, Member
from boards.pack import Boards
from boards.services import attendance_record, meeting_schedule, papers_issue, papers_late
from core.forms import on_form
from core.views import council_view, require_perm


@council_view("boards.view")
def board_list(request):
    return render(
        request, "boards/board_list.html", {"boards": selectors.boards(council=request.council)}
    )


@council_view("boards.view")
def board_detail(request, key: str):
    board = Boards.of(request.council).get(key)
    if board is None:
        raise Http404
    can_run = request.user.has_perm("boards.run_meetings", request.council)
    form = MeetingForm(request.POST or None) if can_run else None
    if request.method == "POST":
        require_perm(request, "boards.run_meetings")
        if form.is_valid():
            ok, meeting = on_form(
                form,
                lambda: meeting_schedule(
                    council=request.council, actor=request.user, board=key, **form.cleaned_data
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
def meeting_detail(request, pk: int):
    meeting = selectors.meeting_detail_queryset(council=request.council).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    board = Boards.of(request.council).get(meeting.board)
    members = Member.objects.filter(
        council=request.council, board=meeting.board, joined_on__lte=meeting.meets_on
    ).order_by("name")
    can_run = request.user.has_perm("boards.run_meetings", request.council)
    action = request.POST.get("action", "attendance") if request.method == "POST" else None
    papers_form = (
        PapersForm(request.POST if action == "papers" else None, prefix="papers")
        if can_run and meeting.status == MeetingStatus.PLANNED
        else None
    )
    if action == "papers":
        require_perm(request, "boards.run_meetings")
        if papers_form is not None and papers_form.is_valid():
            ok, late = on_form(
                papers_form,
                lambda: papers_issue(
                    meeting=meeting,
                    actor=request.user,
                    issued_on=papers_form.cleaned_data["issued_on"],
                ),
            )
            if ok:
                if late:
                    messages.warning(request, late)
                else:
                    messages.success(request, "Papers recorded as issued.")
                return redirect("meeting-detail", pk=meeting.pk)
    initial = {}
    for a in meeting.attendance.all():
        initial |= {
            f"present_{a.member_id}": a.present,
            f"apologies_{a.member_id}": a.apologies,
            f"interest_{a.member_id}": a.declared_interest,
        }
    form = (
        AttendanceForm(
            request.POST if action == "attendance" else None, members=members, initial=initial
        )
        if can_run and meeting.status != MeetingStatus.CANCELLED
        else None
    )
    if action == "attendance":
        require_perm(request, "boards.run_meetings")
        if form is not None and form.is_valid():
            ok, _ = on_form(
                form,
                lambda: attendance_record(meeting=meeting, actor=request.user, **form.values()),
            )
            if ok:
                messages.success(request, "Attendance recorded.")
                return redirect("meeting-detail", pk=meeting.pk)
    return render(
        request,
        "boards/meeting_detail.html",
        {
            "meeting": meeting,
            "board": board,
            "form": form,
            "held": meeting.status == MeetingStatus.HELD,
            "due": meeting.meets_on <= timezone.localdate(),
            "papers_form": papers_form,
            "papers_late": papers_late(meeting, board),
        },
        status=400
        if (form is not None and form.errors) or (papers_form is not None and papers_form.errors)
        else 200,
    )

"""Pages for boards and meetings. Thin: forms in, selectors and services out."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from boards import selectors
from boards.forms import AttendanceForm, MeetingForm
from boards.models import MeetingStatus, Member
from boards.pack import Boards
from boards.services import attendance_record, meeting_schedule
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
    initial = {}
    for a in meeting.attendance.all():
        initial |= {
            f"present_{a.member_id}": a.present,
            f"apologies_{a.member_id}": a.apologies,
            f"interest_{a.member_id}": a.declared_interest,
        }
    form = (
        AttendanceForm(request.POST or None, members=members, initial=initial)
        if can_run and meeting.status != MeetingStatus.CANCELLED
        else None
    )
    if request.method == "POST":
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
        },
        status=400 if form is not None and form.errors else 200,
    )

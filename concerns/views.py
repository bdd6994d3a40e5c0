"""Pages for escalation: cases and their ladder, moves, alerts from the automatic triggers,
exceptions and the safeguarding track (decisions have their own pages, in `decisions`).
Thin: forms in, services out."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from concerns import selectors
from concerns.exports import case_columns
from concerns.forms import (
    AssignForm,
    CaseOpenForm,
    ExceptionForm,
    MeetingForm,
    MoveForm,
    PlanStartForm,
)
from concerns.models import Case, Stage
from concerns.pack import Ladder
from concerns.permissions import MoveAttempt
from concerns.services import (
    case_assign,
    case_move,
    case_open,
    exception_propose,
    safeguarding_close,
    safeguarding_meeting_record,
    safeguarding_open,
    safeguarding_plan_start,
)
from core import exports, extensions
from core.forms import ReasonForm, on_form
from core.views import council_view
from councils.permissions import roles_in
from decisions.models import Recommendation
from decisions.selectors import with_subjects
from monitoring.pack import review_rules
from providers.selectors import locations_for


def _case(request, pk: int):
    try:
        return selectors.case_detail(council=request.council, pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


@council_view("concerns.view_case")
def case_list(request):
    council = request.council
    ladder = Ladder.of(council)
    filters = selectors.CaseFilters(
        stage=request.GET.get("stage", "") if request.GET.get("stage") in Stage.values else "",
        q=request.GET.get("q", "")[:100],
        open_only=request.GET.get("all") != "1",
        mine=request.GET.get("mine") == "1",
        unassigned=request.GET.get("unassigned") == "1",
    )
    found = selectors.case_list(council=council, filters=filters, user=request.user)
    fmt = exports.wanted(request)
    if fmt:
        return exports.export(
            found,
            columns=case_columns(council),
            filename=f"cases-{council.code}-{timezone.localdate():%Y-%m-%d}",
            fmt=fmt,
            sheet="Cases",
        )
    page = Paginator(found, 50)
    cases = page.get_page(request.GET.get("page"))
    counts = selectors.stage_counts(council=council)
    return render(
        request,
        "concerns/case_list.html",
        {
            "cases": cases,
            "filters": filters,
            "ladder": ladder,
            "stages": [(s, counts.get(s.key, 0)) for s in ladder.stages if s.key != Stage.CLOSED],
            "alerts_waiting": selectors.alerts(council=council).count(),
        },
    )


@council_view("concerns.open_case")
def case_new(request):
    council = request.council
    ladder = Ladder.of(council)
    wanted = request.GET.get("location", "")
    location = (
        locations_for(council).select_related("provider").filter(pk=int(wanted)).first()
        if wanted.isdigit()
        else None
    )
    if location is None:
        raise Http404
    existing = selectors.open_case_of(council=council, location=location)
    if existing is not None:
        messages.info(request, f"{existing.reference} is already open for this location.")
        return redirect("case-detail", pk=existing.pk)
    form = CaseOpenForm(request.POST or None, council=council, ladder=ladder)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        whole = d.get("whole_provider")
        ok, case = on_form(
            form,
            lambda: case_open(
                council=council,
                actor=request.user,
                summary=d["summary"],
                location=None if whole else location,
                provider=location.provider if whole else None,
                lead_officer=d.get("lead_officer"),
            ),
        )
        if ok:
            messages.success(request, f"{case.reference} opened.")
            return redirect("case-detail", pk=case.pk)
    return render(request, "concerns/case_new.html", {"form": form, "location": location})


@council_view("concerns.view_case")
def case_detail(request, pk: int):
    return _case_page(request, _case(request, pk))


def _case_page(request, case, safeguarding_form=None, assign_form=None, status: int = 200):
    ladder = Ladder.of(case.council)
    may_assign = case.is_open and request.user.has_perm("concerns.assign_lead", case.council)
    may_take = (
        case.is_open
        and case.lead_officer_id is None
        and request.user.has_perm("concerns.open_case", case.council)
    )
    record = selectors.case_record(case=case)
    pending = next(
        (r for r in record["recommendations"] if r.is_pending and r.kind == "move"), None
    )
    safeguarding_form = safeguarding_form or ReasonForm(prefix="sg")
    sg_spec = ladder.safeguarding
    if sg_spec:
        safeguarding_form.fields["reason"].label = f"Why open the {sg_spec.label}?"
    record["recommendations"] = with_subjects(record["recommendations"])
    return render(
        request,
        "concerns/case_detail.html",
        {
            "case": case,
            "ladder": ladder,
            "diagram": selectors.ladder_diagram(case=case, ladder=ladder),
            "options": selectors.move_options(case=case, user=request.user, ladder=ladder),
            "pending": pending,
            "pending_awaiting": pending.awaiting_label if pending else "",
            "stage": ladder.stage(case.stage),
            "safeguarding_spec": sg_spec,
            "open_track": next((t for t in record["tracks"] if t.is_open), None),
            "may_open_track": bool(
                sg_spec
                and case.is_open
                and request.user.has_perm("concerns.make_move", case.council)
                and sg_spec.by & roles_in(request.user, case.council)
            ),
            "safeguarding_form": safeguarding_form,
            "review_kinds": review_rules(case.council).labels,
            "assign_form": assign_form
            or (AssignForm(council=case.council, prefix="as") if may_assign else None),
            "may_take": may_take,
            "object_panels": extensions.panels(
                extensions.object_page, request=request, subject=case
            ),
            **record,
        },
        status=status,
    )


@council_view("concerns.view_case")
def case_move_view(request, pk: int, key: str):
    case = _case(request, pk)
    ladder = Ladder.of(case.council)
    move = ladder.move(key)
    if move is None:
        raise Http404
    blockers = selectors.move_options(case=case, user=request.user, ladder=ladder)
    option = next((o for o in blockers if o.move.key == key), None)
    if option is None or not option.open:
        allowed = request.user.has_perm(
            "concerns.make_this_move", MoveAttempt(case=case, move=move)
        )
        reasons = option.blockers if option else ["This move does not start from here."]
        return render(
            request,
            "concerns/move_closed.html",
            {"case": case, "move": move, "reasons": reasons},
            status=409
            if allowed or move.automatic or option is None or case.stage not in move.sources
            else 403,
        )
    form = MoveForm(request.POST or None, request.FILES or None, ladder=ladder, move=move)
    if request.method == "POST" and form.is_valid():
        ok, made = on_form(
            form,
            lambda: case_move(
                case=case,
                actor=request.user,
                move=key,
                reason=form.cleaned_data["reason"],
                evidence=form.evidence(),
                details=form.details(),
                urgent=form.cleaned_data.get("urgent", False),
                expected_stage=request.POST.get("expected_stage", "")[:30] or None,
            ),
        )
        if ok:
            if isinstance(made, Recommendation):
                step = made.awaiting_label
                messages.success(request, f"{made.reference} recommended. Next: {step}.")
            else:
                messages.success(request, f"{case.reference}: {move.label.lower()} done.")
            return redirect("case-detail", pk=case.pk)
    return render(
        request,
        "concerns/move_form.html",
        {"case": case, "move": move, "form": form, "ladder": ladder, "option": option},
    )


@council_view("concerns.view_case")
@require_POST
def case_assign_view(request, pk: int):
    """A manager gives the case its lead officer; an officer takes an unassigned one."""
    case = _case(request, pk)
    data = request.POST.copy()
    if "take" in data:
        data["as-lead_officer"] = str(request.user.pk)
    form = AssignForm(data, council=case.council, prefix="as")
    if form.is_valid():
        ok, _ = on_form(
            form,
            lambda: case_assign(
                case=case, actor=request.user, lead_officer=form.cleaned_data["lead_officer"]
            ),
        )
        if ok:
            messages.success(request, f"{case.reference} has its lead officer.")
            return redirect("case-detail", pk=case.pk)
    return _case_page(request, case, assign_form=form, status=400)


@council_view("concerns.view_case")
@require_POST
def safeguarding_open_view(request, pk: int):
    case = _case(request, pk)
    form = ReasonForm(request.POST, prefix="sg")
    if (
        form.is_valid()
        and on_form(
            form,
            lambda: safeguarding_open(
                case=case, actor=request.user, reason=form.cleaned_data["reason"]
            ),
        )[0]
    ):
        messages.success(request, "Safeguarding track opened.")
        return redirect("case-detail", pk=case.pk)
    return _case_page(request, case, safeguarding_form=form, status=400)


@council_view("concerns.view_case")
def safeguarding_detail(request, pk: int):
    track = selectors.safeguarding_tracks(council=request.council).filter(pk=pk).first()
    if track is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    meeting_form = MeetingForm(request.POST if action == "meeting" else None, prefix="m")
    close_form = ReasonForm(request.POST if action == "close" else None, prefix="c")
    plan_form = PlanStartForm(request.POST if action == "plan" else None, prefix="p")
    if (
        action == "plan"
        and plan_form.is_valid()
        and on_form(
            plan_form,
            lambda: safeguarding_plan_start(
                track=track, actor=request.user, **plan_form.cleaned_data
            ),
        )[0]
    ):
        messages.success(request, "Action plan started: add its actions.")
        track.refresh_from_db()
        return redirect("plan-detail", pk=track.plan_id)
    if (
        action == "meeting"
        and meeting_form.is_valid()
        and on_form(
            meeting_form,
            lambda: safeguarding_meeting_record(
                track=track, actor=request.user, **meeting_form.cleaned_data
            ),
        )[0]
    ):
        messages.success(request, "Meeting recorded.")
        return redirect("safeguarding-detail", pk=track.pk)
    if (
        action == "close"
        and close_form.is_valid()
        and on_form(
            close_form,
            lambda: safeguarding_close(
                track=track, actor=request.user, reason=close_form.cleaned_data["reason"]
            ),
        )[0]
    ):
        messages.success(request, f"{track.label} closed.")
        return redirect("case-detail", pk=track.case_id)
    return render(
        request,
        "concerns/safeguarding_detail.html",
        {
            "track": track,
            "meeting_form": meeting_form,
            "close_form": close_form,
            "plan_form": plan_form,
        },
    )


@council_view("concerns.request_exception")
def exception_new(request, location_pk: int, key: str):
    council = request.council
    ladder = Ladder.of(council)
    spec = ladder.exception(key)
    location = locations_for(council).select_related("provider").filter(pk=location_pk).first()
    if spec is None or location is None:
        raise Http404
    if not roles_in(request.user, council) & spec.by:
        raise PermissionDenied  # the pre-filled answers are not theirs to see
    prefill = selectors.exception_prefill(council=council, location=location)
    initial = {f"q_{f.key}": prefill[f.prefill] for f in spec.fields if f.prefill in prefill}
    form = ExceptionForm(
        request.POST or None,
        request.FILES or None,
        ladder=ladder,
        questions=spec.fields,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        ok, rec = on_form(
            form,
            lambda: exception_propose(
                council=council,
                actor=request.user,
                exception=key,
                location=location,
                reason=form.cleaned_data["reason"],
                details=form.details(),
                evidence=form.evidence(),
                urgent=form.cleaned_data.get("urgent", False),
            ),
        )
        if ok:
            messages.success(request, f"{rec.reference} sent for a decision.")
            return redirect("recommendation-detail", pk=rec.pk)
    return render(
        request,
        "concerns/exception_form.html",
        {"form": form, "spec": spec, "location": location, "ladder": ladder},
    )

"""Pages for escalation: cases and their ladder, moves, the approvals inbox, alerts from the
automatic triggers, exceptions and the safeguarding track. Thin: forms in, services out."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from concerns import selectors
from concerns.forms import (
    ActForm,
    AlertForm,
    CaseOpenForm,
    ExceptionForm,
    MeetingForm,
    MoveForm,
    PlanStartForm,
    ReasonForm,
)
from concerns.ladder import Ladder
from concerns.models import Alert, Case, Recommendation, SafeguardingTrack, Stage
from concerns.rules import MoveAttempt
from concerns.services import (
    alert_handle,
    approval_of,
    case_move,
    case_open,
    exception_propose,
    ladder_of,
    recommendation_act,
    recommendation_withdraw,
    safeguarding_close,
    safeguarding_meeting_record,
    safeguarding_open,
    safeguarding_plan_start,
    step_blockers,
)
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.views import require_perm
from providers.models import Location


def _try(form, call) -> bool:
    """Run a service; put its errors on the form. True when it succeeded."""
    try:
        call()
    except ValidationFailed as exc:
        if exc.errors:
            form.add_domain_errors(exc.errors)
        else:
            form.add_error(None, exc.message)
    except (Conflict, NotAllowed) as exc:
        form.add_error(None, exc.message)
    else:
        return True
    return False


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _shown(field, value):
    """An answer as people read it: dates in words."""
    if field.type == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%-d %B %Y")
        except ValueError:
            return value
    return value


def _case(request, pk: int):
    try:
        return selectors.case_detail(council=request.council, pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def case_list(request):
    require_perm(request, "concerns.view_case")
    council = request.council
    ladder = Ladder.of(council)
    filters = selectors.CaseFilters(
        stage=request.GET.get("stage", "") if request.GET.get("stage") in Stage.values else "",
        q=request.GET.get("q", "")[:100],
        open_only=request.GET.get("all") != "1",
        mine=request.GET.get("mine") == "1",
    )
    page = Paginator(selectors.case_list(council=council, filters=filters, user=request.user), 50)
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


@login_required
def case_new(request):
    require_perm(request, "concerns.open_case")
    council = request.council
    ladder = Ladder.of(council)
    wanted = request.GET.get("location", "")
    location = (
        Location.objects.select_related("provider").filter(pk=int(wanted)).first()
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
        created = {}

        def call():
            created["case"] = case_open(
                council=council,
                actor=request.user,
                summary=d["summary"],
                location=None if whole else location,
                provider=location.provider if whole else None,
                lead_officer=d.get("lead_officer"),
            )

        if _try(form, call):
            messages.success(request, f"{created['case'].reference} opened.")
            return redirect("case-detail", pk=created["case"].pk)
    return render(request, "concerns/case_new.html", {"form": form, "location": location})


@login_required
def case_detail(request, pk: int):
    require_perm(request, "concerns.view_case")
    return _case_page(request, _case(request, pk))


def _case_page(request, case, safeguarding_form=None, status: int = 200):
    ladder = Ladder.of(case.council)
    record = selectors.case_record(case=case)
    pending = next(
        (r for r in record["recommendations"] if r.status == "pending" and r.kind == "move"), None
    )
    safeguarding_form = safeguarding_form or ReasonForm(prefix="sg")
    sg_spec = ladder.safeguarding
    if sg_spec:
        safeguarding_form.fields["reason"].label = f"Why open the {sg_spec['label']}?"
    return render(
        request,
        "concerns/case_detail.html",
        {
            "case": case,
            "ladder": ladder,
            "diagram": selectors.ladder_diagram(case=case, ladder=ladder),
            "options": selectors.move_options(case=case, user=request.user, ladder=ladder),
            "pending": pending,
            "pending_awaiting": selectors.awaiting_label(pending, ladder) if pending else "",
            "stage": ladder.stage(case.stage),
            "safeguarding_spec": sg_spec,
            "open_track": next((t for t in record["tracks"] if t.is_open), None),
            "may_open_track": bool(
                sg_spec
                and case.is_open
                and request.user.has_perm("concerns.make_move", case.council)
                and set(sg_spec["by"]) & selectors.roles_in(request.user, case.council)
            ),
            "safeguarding_form": safeguarding_form,
            **record,
        },
        status=status,
    )


@login_required
def case_move_view(request, pk: int, key: str):
    require_perm(request, "concerns.view_case")
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
            status=409 if allowed or option is None or case.stage not in move.sources else 403,
        )
    form = MoveForm(request.POST or None, ladder=ladder, move=move)
    if request.method == "POST" and form.is_valid():
        result = {}

        def call():
            result["r"] = case_move(
                case=case,
                actor=request.user,
                move=key,
                reason=form.cleaned_data["reason"],
                evidence=form.evidence(),
                details=form.details(),
                urgent=form.cleaned_data.get("urgent", False),
                expected_stage=request.POST.get("expected_stage") or None,
            )

        if _try(form, call):
            made = result["r"]
            if isinstance(made, Recommendation):
                step = selectors.awaiting_label(made, ladder)
                messages.success(request, f"{made.reference} recommended. Next: {step}.")
            else:
                messages.success(request, f"{case.reference}: {move.label.lower()} done.")
            return redirect("case-detail", pk=case.pk)
    return render(
        request,
        "concerns/move_form.html",
        {"case": case, "move": move, "form": form, "ladder": ladder, "option": option},
    )


@login_required
@require_POST
def safeguarding_open_view(request, pk: int):
    require_perm(request, "concerns.view_case")
    case = _case(request, pk)
    form = ReasonForm(request.POST, prefix="sg")
    if form.is_valid() and _try(
        form,
        lambda: safeguarding_open(
            case=case, actor=request.user, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, "Safeguarding track opened.")
        return redirect("case-detail", pk=case.pk)
    return _case_page(request, case, safeguarding_form=form, status=400)


@login_required
def safeguarding_detail(request, pk: int):
    require_perm(request, "concerns.view_case")
    track = (
        SafeguardingTrack.objects.filter(council=request.council, pk=pk)
        .select_related("case__location", "case__provider", "plan")
        .prefetch_related("meetings")
        .first()
    )
    if track is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    meeting_form = MeetingForm(request.POST if action == "meeting" else None, prefix="m")
    close_form = ReasonForm(request.POST if action == "close" else None, prefix="c")
    plan_form = PlanStartForm(request.POST if action == "plan" else None, prefix="p")
    if (
        action == "plan"
        and plan_form.is_valid()
        and _try(
            plan_form,
            lambda: safeguarding_plan_start(
                track=track, actor=request.user, **plan_form.cleaned_data
            ),
        )
    ):
        messages.success(request, "Action plan started: add its actions.")
        track.refresh_from_db()
        return redirect("plan-detail", pk=track.plan_id)
    if (
        action == "meeting"
        and meeting_form.is_valid()
        and _try(
            meeting_form,
            lambda: safeguarding_meeting_record(
                track=track, actor=request.user, **meeting_form.cleaned_data
            ),
        )
    ):
        messages.success(request, "Meeting recorded.")
        return redirect("safeguarding-detail", pk=track.pk)
    if (
        action == "close"
        and close_form.is_valid()
        and _try(
            close_form,
            lambda: safeguarding_close(
                track=track, actor=request.user, reason=close_form.cleaned_data["reason"]
            ),
        )
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


@login_required
def inbox_view(request):
    require_perm(request, "concerns.request_exception")
    council = request.council
    return render(
        request,
        "concerns/inbox.html",
        {
            "items": Paginator(selectors.inbox(council=council, user=request.user), 50).get_page(
                request.GET.get("page")
            ),
            "mine": list(selectors.my_recommendations(council=council, user=request.user)),
            "ladder": Ladder.of(council),
        },
    )


@login_required
def recommendation_detail(request, pk: int):
    """Quality staff see every recommendation; anyone else only their own (a Placement
    Officer's family choice request, 000 5)."""
    require_perm(request, "concerns.request_exception")
    mine_only = not request.user.has_perm("concerns.view_case", request.council)
    rec = (
        Recommendation.objects.filter(council=request.council, pk=pk)
        .filter(**({"proposed_by": request.user} if mine_only else {}))
        .select_related("case", "location", "provider", "council__active_policy")
        .prefetch_related("steps")
        .first()
    )
    if rec is None:
        raise Http404
    ladder = ladder_of(rec)
    approval = approval_of(rec, ladder)
    deciding = approval is not None and rec.step >= len(approval.chain)
    board = deciding and ladder.maker_is_board(approval.decided_by)
    blockers = step_blockers(recommendation=rec, user=request.user, ladder=ladder)
    action = request.POST.get("action") if request.method == "POST" else None
    act_form = ActForm(
        request.POST if action == "act" else None, deciding=deciding, board=board, prefix="act"
    )
    withdraw_form = ReasonForm(request.POST if action == "withdraw" else None, prefix="w")
    if (
        action == "act"
        and act_form.is_valid()
        and _try(
            act_form,
            lambda: recommendation_act(
                recommendation=rec,
                actor=request.user,
                expected_step=_int(request.POST.get("expected_step")),
                **act_form.cleaned_data,
            ),
        )
    ):
        messages.success(request, f"{rec.reference}: your decision is recorded.")
        return redirect("recommendation-detail", pk=rec.pk)
    if (
        action == "withdraw"
        and withdraw_form.is_valid()
        and _try(
            withdraw_form,
            lambda: recommendation_withdraw(
                recommendation=rec, actor=request.user, reason=withdraw_form.cleaned_data["reason"]
            ),
        )
    ):
        messages.success(request, f"{rec.reference} withdrawn.")
        return redirect("recommendation-detail", pk=rec.pk)
    fields = []
    if rec.kind == "exception":
        spec = ladder.exception(rec.key)
        fields = list(spec.fields) if spec else []
    elif ladder.move(rec.key):
        fields = list(ladder.move(rec.key).fields)
    answers = [(f.label, _shown(f, rec.details[f.key])) for f in fields if f.key in rec.details]
    return render(
        request,
        "concerns/recommendation_detail.html",
        {
            "rec": rec,
            "ladder": ladder,
            "approval": approval,
            "awaiting": selectors.awaiting_label(rec, ladder) if rec.status == "pending" else "",
            "blockers": blockers,
            "act_form": act_form,
            "withdraw_form": withdraw_form,
            "deciding": deciding,
            "board": board,
            "answers": answers,
            "evidence": [
                {
                    **e,
                    "label": "Other evidence"
                    if e["kind"] == "other"
                    else ladder.evidence_label(e["kind"]),
                }
                for e in rec.evidence
            ],
            "may_withdraw": rec.status == "pending" and rec.proposed_by_id == request.user.pk,
        },
    )


@login_required
def alert_list(request, failed=None, failed_form=None):
    require_perm(request, "concerns.view_case")
    status = request.GET.get("status", "new")
    qs = selectors.alerts(council=request.council, status=status if status != "all" else "")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "concerns/alert_list.html",
        {
            "alerts": page,
            "status": status,
            "may_handle": request.user.has_perm("concerns.handle_alert", request.council),
            "failed": failed,
            "failed_form": failed_form,
        },
        status=400 if failed_form is not None else 200,
    )


@login_required
@require_POST
def alert_handle_view(request, pk: int):
    require_perm(request, "concerns.handle_alert")
    alert = Alert.objects.filter(council=request.council, pk=pk).first()
    if alert is None:
        raise Http404
    form = AlertForm(request.POST)
    if form.is_valid() and _try(
        form,
        lambda: alert_handle(
            alert=alert,
            actor=request.user,
            dismiss=request.POST.get("dismiss") == "1",
            note=form.cleaned_data["note"],
        ),
    ):
        messages.success(request, "Alert handled.")
        return redirect("alert-list")
    return alert_list(request, failed=alert.pk, failed_form=form)


@login_required
def exception_new(request, location_pk: int, key: str):
    require_perm(request, "concerns.request_exception")
    council = request.council
    ladder = Ladder.of(council)
    spec = ladder.exception(key)
    location = Location.objects.select_related("provider").filter(pk=location_pk).first()
    if spec is None or location is None:
        raise Http404
    if not selectors.roles_in(request.user, council) & spec.by:
        raise PermissionDenied  # the pre-filled answers are not theirs to see
    prefill = selectors.exception_prefill(council=council, location=location)
    initial = {f"q_{f.key}": prefill[f.prefill] for f in spec.fields if f.prefill in prefill}
    form = ExceptionForm(
        request.POST or None, ladder=ladder, questions=spec.fields, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        made = {}

        def call():
            made["rec"] = exception_propose(
                council=council,
                actor=request.user,
                exception=key,
                location=location,
                reason=form.cleaned_data["reason"],
                details=form.details(),
                evidence=form.evidence(),
                urgent=form.cleaned_data.get("urgent", False),
            )

        if _try(form, call):
            messages.success(request, f"{made['rec'].reference} sent for a decision.")
            return redirect("recommendation-detail", pk=made["rec"].pk)
    return render(
        request,
        "concerns/exception_form.html",
        {"form": form, "spec": spec, "location": location, "ladder": ladder},
    )

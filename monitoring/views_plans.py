"""Improvement and action plans' pages (004 9, 001 Appendix 3): the list of every plan, with
its actions counted and downloads (issue 13), a plan's page, and starting one."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from core import exports
from core.forms import on_form
from core.views import council_view, require_perm
from monitoring import selectors
from monitoring.exports import plan_columns
from monitoring.forms import PlanActionForm, PlanFilterForm, PlanForm, PlanReviewForm
from monitoring.models import ImprovementPlan
from monitoring.pack import plan_rules
from monitoring.services import plan_action_add, plan_create, plan_is_failing, plan_review_record
from monitoring.views import location_of

PAGE_SIZE = 50


@council_view("monitoring.view_monitoring")
def plans_list(request):
    """Every plan of the council: which are behind (actions past their date), when each was
    last reviewed; filters kept in the address; CSV and Excel with the same filters."""
    form = PlanFilterForm(request.GET or None)
    today = timezone.localdate()
    rows = selectors.plan_rows(council=request.council, filters=form.filters(), today=today)
    fmt = exports.wanted(request)
    if fmt:
        return exports.export(
            rows,
            columns=plan_columns(),
            filename=f"plans-{request.council.code}-{today:%Y-%m-%d}",
            fmt=fmt,
            sheet="Plans",
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "monitoring/plans_list.html", {"form": form, "page": page, "today": today}
    )


@council_view("monitoring.change_monitoring")
def plan_new(request, location_pk: int):
    location = location_of(location_pk, request.council)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, plan = on_form(
            form,
            lambda: plan_create(
                council=request.council, location=location, actor=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, "Plan started: add its actions.")
            return redirect("plan-detail", pk=plan.pk)
    return render(request, "monitoring/plan_new.html", {"form": form, "location": location})


@council_view("monitoring.view_monitoring")
def plan_detail(request, pk: int):
    try:
        plan = selectors.plan_detail(council=request.council, pk=pk)
    except ImprovementPlan.DoesNotExist:
        raise Http404 from None
    actions = list(plan.actions.select_related("council_monitor"))
    open_actions = [a for a in actions if a.status != "met"]
    action = request.POST.get("action") if request.method == "POST" else None
    action_form = PlanActionForm(
        request.POST if action == "add" else None, council=request.council, prefix="add"
    )
    review_form = PlanReviewForm(
        request.POST if action == "review" else None, actions=open_actions, prefix="review"
    )
    if action:
        require_perm(request, "monitoring.change_monitoring")
        form = action_form if action == "add" else review_form
        if form.is_valid():
            if action == "add":
                call = lambda: plan_action_add(  # noqa: E731
                    plan=plan, actor=request.user, **form.cleaned_data
                )
            else:
                call = lambda: plan_review_record(  # noqa: E731
                    plan=plan,
                    actor=request.user,
                    reviewed_on=form.cleaned_data["reviewed_on"],
                    notes=form.cleaned_data["notes"],
                    results=form.results(),
                )
            if on_form(form, call)[0]:
                messages.success(request, "Plan saved.")
                return redirect("plan-detail", pk=plan.pk)
    return render(
        request,
        "monitoring/plan_detail.html",
        {
            "plan": plan,
            "actions": actions,
            "reviews": list(plan.reviews.all()),
            "failing": plan_is_failing(plan),
            "action_form": action_form,
            "review_form": review_form,
            "can_change": request.user.has_perm("monitoring.change_monitoring", request.council),
            "limit": plan_rules(request.council).failed_reviews_more_than,
        },
    )

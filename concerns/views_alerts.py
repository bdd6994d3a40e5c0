"""The rules' alerts: a table grouped by location with filters kept in the address and bulk
actions, and a page per alert to act on it (issue 13)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from concerns import selectors
from concerns.exports import alert_columns
from concerns.forms import AlertBulkForm, AlertForm
from concerns.models import Alert
from concerns.services import alert_handle, alerts_handle
from core import exports
from core.forms import on_form
from core.views import council_view

STATUSES = [("new", "Waiting"), ("acted", "Acted on"), ("dismissed", "Dismissed"), ("all", "All")]


def _alert_filters(request) -> dict:
    status = request.GET.get("status", "new")
    status = status if status in dict(STATUSES) else "new"
    return {
        "status": status,
        "rule": request.GET.get("rule", "")[:200],
        "q": request.GET.get("q", "")[:100],
    }


@council_view("concerns.view_case")
def alert_list(request, bulk_form=None):
    """Alerts as a table grouped by location (those one rating change raised together), with
    filters kept in the address and bulk actions (issue 13)."""
    f = _alert_filters(request)
    qs = selectors.alerts(
        council=request.council,
        status="" if f["status"] == "all" else f["status"],
        rule=f["rule"],
        q=f["q"],
    )
    fmt = exports.wanted(request)
    if fmt:
        return exports.export(
            qs,
            columns=alert_columns(request.council),
            filename=f"alerts-{request.council.code}-{timezone.localdate():%Y-%m-%d}",
            fmt=fmt,
            sheet="Alerts",
        )
    page = Paginator(selectors.alerts_by_location(qs), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "concerns/alert_list.html",
        {
            "alerts": page,
            "filters": f,
            "statuses": STATUSES,
            "rules": selectors.alert_rules(council=request.council),
            "may_handle": request.user.has_perm("concerns.handle_alert", request.council),
            "bulk_form": bulk_form,
        },
        status=400 if bulk_form is not None else 200,
    )


@council_view("concerns.handle_alert")
@require_POST
def alerts_bulk_view(request):
    """Several alerts acted on or dismissed at once, with one note."""
    form = AlertBulkForm(request.POST)
    if form.is_valid():
        ok, n = on_form(
            form,
            lambda: alerts_handle(
                council=request.council,
                actor=request.user,
                ids=form.cleaned_data["ids"],
                dismiss=request.POST.get("dismiss") == "1",
                note=form.cleaned_data["note"],
            ),
        )
        if ok:
            messages.success(request, f"{n} alert{'s' if n != 1 else ''} handled.")
            return redirect(f"{reverse('alert-list')}?{request.POST.get('back', '')[:500]}")
    return alert_list(request, bulk_form=form)


def _alert(request, pk: int) -> Alert:
    alert = (
        Alert.objects.filter(council=request.council, pk=pk)
        .select_related("location", "provider", "case")
        .first()
    )
    if alert is None:
        raise Http404
    return alert


@council_view("concerns.view_case")
def alert_detail(request, pk: int, form=None):
    """One alert, to act on it: what raised it, the others from the same cause, the case."""
    alert = _alert(request, pk)
    together = list(
        Alert.objects.filter(council=request.council, cause=alert.cause)
        .exclude(pk=alert.pk)
        .exclude(cause="")
        .order_by("-created_at", "id")[:20]
    )
    return render(
        request,
        "concerns/alert_detail.html",
        {
            "alert": alert,
            "together": together,
            "form": form or AlertForm(),
            "may_handle": request.user.has_perm("concerns.handle_alert", request.council),
        },
        status=400 if form is not None else 200,
    )


@council_view("concerns.handle_alert")
@require_POST
def alert_handle_view(request, pk: int):
    alert = _alert(request, pk)
    form = AlertForm(request.POST)
    if (
        form.is_valid()
        and on_form(
            form,
            lambda: alert_handle(
                alert=alert,
                actor=request.user,
                dismiss=request.POST.get("dismiss") == "1",
                note=form.cleaned_data["note"],
            ),
        )[0]
    ):
        messages.success(request, "Alert handled.")
        return redirect("alert-list")
    return alert_detail(request, pk, form=form)

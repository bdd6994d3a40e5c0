"""A person's own work pages: the time limits due soon, due today and overdue (theirs, and the
council's overdue list for managers), what they were told, and how they want to be told."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from core.audit import audit_record
from core.forms import GovukFormMixin
from core.models import Notification
from core.timers import describe_subjects, timers_overdue, timers_waiting
from core.views import council_view
from councils.models import NotifyBy
from councils.sso import SESSION_KEY, SSO
from councils.twofactor import confirmed_device


def _rows(council, timers) -> list[dict]:
    names = describe_subjects(council=council, timers=timers)
    return [
        {"timer": t, "subject": names.get((t.subject_type, t.subject_id), ("", ""))} for t in timers
    ]


@council_view("councils.view_timers")
def my_timers(request):
    council = request.council
    page = Paginator(timers_waiting(council=council, owner=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "councils/timers.html",
        {
            "rows": _rows(council, list(page)),
            "page_obj": page,
            "mine": True,
            "may_see_all": request.user.has_perm("councils.view_overdue", council),
        },
    )


@council_view("councils.view_overdue")
def overdue_timers(request):
    council = request.council
    page = Paginator(timers_overdue(council=council), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "councils/timers.html",
        {"rows": _rows(council, list(page)), "page_obj": page, "mine": False},
    )


class NotifyForm(GovukFormMixin, forms.Form):
    notify_by = forms.ChoiceField(
        label="How should we email you what waits for you?",
        choices=NotifyBy.choices,
        widget=forms.RadioSelect,
        help_text="Emails give the title and a link, never details of the people in care.",
    )


@login_required
def account(request):
    """Your notifications and how you are told."""
    form = NotifyForm(
        request.POST if request.method == "POST" else None,
        initial={"notify_by": request.user.notify_by},
    )
    if request.method == "POST" and form.is_valid():
        user = request.user
        user.notify_by = form.cleaned_data["notify_by"]
        user.save(update_fields=["notify_by"])
        if request.council is not None:
            audit_record(
                council=request.council,
                actor=user,
                action="account.notify_by",
                summary=f"{user} chose: {user.get_notify_by_display()}",
            )
        messages.success(request, "Saved.")
        return redirect("account")
    told = []
    if request.council is not None:
        told = list(
            Notification.objects.filter(council=request.council, user=request.user).order_by(
                "-created_at", "-id"
            )[:50]
        )
    return render(
        request,
        "councils/account.html",
        {
            "form": form,
            "told": told,
            "two_factor": confirmed_device(request.user),
            "signed_in_with_sso": request.session.get(SESSION_KEY) == SSO,
        },
    )

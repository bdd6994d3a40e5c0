"""The webhooks pages (council admins): the systems told of the council's events, a new one
(its secret shown once), and each one's log of deliveries, where a failed one is sent again."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from core.forms import GovukFormMixin, on_form
from core.views import council_view
from notices.forms import ActionForm
from notices.models import HookDelivery, Subscription
from notices.services import hook_retry, subscription_create, subscription_end
from notices.tasks import hook_send_task
from notices.webhooks import CHOICES


class SubscriptionForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Which system", max_length=100, help_text="For example: Mosaic.",
        error_messages={"required": "Name the system"},
    )  # fmt: skip
    url = forms.CharField(
        label="Address to send to",
        max_length=500,
        help_text="An https:// address of the other system.",
        error_messages={"required": "Enter the address to send to"},
    )
    event_types = forms.MultipleChoiceField(
        label="Which events",
        choices=CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of event"},
    )


@council_view("notices.manage_webhooks")
def webhook_list(request):
    council = request.council
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        ok, made = on_form(
            form,
            lambda: subscription_create(council=council, actor=request.user, **form.cleaned_data),
        )
        if ok:
            sub, secret = made
            messages.success(request, f"Webhook for {sub.name} added.")
            form = SubscriptionForm()
    subs = list(Subscription.objects.filter(council=council).order_by("-is_active", "name"))
    return render(
        request,
        "notices/webhooks.html",
        {"form": form, "subscriptions": subs, "secret": secret, "labels": dict(CHOICES)},
        status=400 if form.errors else 200,
    )


@council_view("notices.manage_webhooks")
def webhook_detail(request, pk: int):
    council = request.council
    sub = Subscription.objects.filter(council=council, pk=pk).first()
    if sub is None:
        raise Http404
    form = ActionForm(data={})
    form.is_valid()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "end":
        ok, _ = on_form(form, lambda: subscription_end(subscription=sub, actor=request.user))
        if ok:
            messages.success(request, "The webhook has ended: nothing more is sent.")
            return redirect("webhook-detail", pk=sub.pk)
    elif action.startswith("retry-"):
        delivery = (
            HookDelivery.objects.filter(
                council=council, subscription=sub, pk=action.removeprefix("retry-")[:12] or 0
            ).first()
            if action.removeprefix("retry-").isdigit()
            else None
        )
        if delivery is None:
            raise Http404
        ok, _ = on_form(form, lambda: hook_retry(delivery=delivery, actor=request.user))
        if ok:
            hook_send_task.later(council.pk, delivery.pk)
            messages.success(request, "Sent again.")
            return redirect("webhook-detail", pk=sub.pk)
    page = Paginator(
        HookDelivery.objects.filter(council=council, subscription=sub).order_by("-created_at"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/webhook_detail.html",
        {"sub": sub, "page_obj": page, "form": form, "labels": dict(CHOICES)},
        status=400 if form.errors else 200,
    )

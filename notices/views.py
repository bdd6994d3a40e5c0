"""The letters' pages: those waiting to be issued and those issued (of a case, of a
location), one letter to preview, correct, issue, download and follow up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.forms import ReasonForm, on_form
from core.views import council_view, require_perm
from notices import selectors
from notices.forms import ActionForm, LetterForm, PostedForm, ReceiptForm, StartForm
from notices.models import LetterStatus
from notices.services import (
    delivery_retry,
    letter_cancel,
    letter_correct,
    letter_issue,
    letter_preview,
    letter_record_post,
    letter_record_receipt,
    letter_start,
    letter_update,
    letters_by_hand,
)
from notices.tasks import delivery_send_task
from providers.selectors import locations_for

TABS = [("waiting", "Waiting to be issued"), ("issued", "Issued"), ("", "All letters")]


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 12 else None


@council_view("notices.view_letters")
def letter_list(request):
    council = request.council
    status = request.GET.get("status", "waiting")
    status = status if status in dict(TABS) else "waiting"
    case_id = _int(request.GET.get("case", ""))
    location_id = _int(request.GET.get("location", ""))
    rows = list(
        selectors.letters(council=council, status=status, case_id=case_id, location_id=location_id)[
            :200
        ]
    )
    return render(
        request,
        "notices/letter_list.html",
        {
            "letters": rows,
            "status": status,
            "tabs": TABS,
            "case_id": case_id,
            "location_id": location_id,
        },
    )


def _letter(request, pk: int):
    """One letter of the current council that this person may see (the quality team's, or
    one they started by hand)."""
    if request.council is None:
        raise PermissionDenied
    letter = selectors.letter_get(council=request.council, pk=pk)
    require_perm(request, "notices.view_letters", letter)
    return letter


@require_http_methods(["GET", "POST"])
@login_required
def letter_detail(request, pk: int):
    council = request.council
    letter = _letter(request, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    initial = {f: getattr(letter, f) for f in LetterForm.base_fields}
    letter_form = LetterForm(request.POST if action == "save" else None, initial=initial)
    posted_form = PostedForm(request.POST if action == "posted" else None, prefix="p")
    receipt_form = ReceiptForm(request.POST if action == "receipt" else None, prefix="r")
    reason_form = ReasonForm(request.POST if action in ("correct", "cancel") else None, prefix="c")
    issue_form = ActionForm(data={})  # carries what refuses an issue to the error summary
    issue_form.is_valid()
    done = None
    if action:
        require_perm(request, "notices.issue_letter", letter)
    if action == "save" and letter_form.is_valid():
        ok, done = on_form(
            letter_form,
            lambda: letter_update(
                letter=letter, actor=request.user, changes=dict(letter_form.cleaned_data)
            ),
        )
    elif action == "issue":
        ok, done = on_form(issue_form, lambda: letter_issue(letter=letter, actor=request.user))
        if not ok and set(issue_form.errors) & set(LetterForm.base_fields):
            # Name the draft's fields where the person corrects them.
            letter_form = LetterForm(data={k: v or "" for k, v in initial.items()})
            letter_form.is_valid()
            letter_form.add_domain_errors(dict(issue_form.errors))
            issue_form = ActionForm(data={})
            issue_form.is_valid()
    elif action == "posted" and posted_form.is_valid():
        ok, done = on_form(
            posted_form,
            lambda: letter_record_post(
                letter=letter, actor=request.user, **posted_form.cleaned_data
            ),
        )
    elif action == "receipt" and receipt_form.is_valid():
        ok, done = on_form(
            receipt_form,
            lambda: letter_record_receipt(
                letter=letter, actor=request.user, **receipt_form.cleaned_data
            ),
        )
    elif action in ("correct", "cancel") and reason_form.is_valid():
        service = letter_correct if action == "correct" else letter_cancel
        ok, done = on_form(
            reason_form,
            lambda: service(
                letter=letter, actor=request.user, reason=reason_form.cleaned_data["reason"]
            ),
        )
    elif action.startswith("retry-"):
        delivery = next(
            (d for d in letter.deliveries.all() if str(d.pk) == action.removeprefix("retry-")),
            None,
        )
        if delivery is None:
            raise Http404
        ok, done = on_form(
            issue_form, lambda: delivery_retry(delivery=delivery, actor=request.user)
        )
        if ok:
            delivery_send_task.later(council.pk, delivery.pk)
    if done is not None:
        words = {
            "save": "Draft saved.",
            "issue": f"{letter.title} {letter.reference} issued.",
            "posted": "Recorded as posted.",
            "receipt": "Receipt recorded.",
            "correct": "A correction was started: check it and issue it.",
            "cancel": "The letter will not be sent.",
        }
        messages.success(request, words.get(action, "Sent again."))
        target = done.pk if action == "correct" else letter.pk
        return redirect("letter-detail", pk=target)
    forms = [letter_form, posted_form, receipt_form, reason_form, issue_form]
    return render(
        request,
        "notices/letter_detail.html",
        {
            "letter": letter,
            "letter_form": letter_form,
            "posted_form": posted_form,
            "receipt_form": receipt_form,
            "reason_form": reason_form,
            "failed_forms": [f for f in forms if f.errors],
            "action": action,
            "may_issue": request.user.has_perm("notices.issue_letter", letter),
            "is_open": letter.is_open,
            "is_issued": letter.status == LetterStatus.ISSUED,
            "replaced_by": getattr(letter, "replaced_by", None)
            if letter.status == LetterStatus.REPLACED
            else None,
        },
        status=400 if any(f.errors for f in forms) else 200,
    )


@login_required
def letter_pdf(request, pk: int):
    letter = _letter(request, pk)
    body = letter_preview(letter=letter, actor=request.user)
    response = HttpResponse(body, content_type="application/pdf")
    name = (
        letter.issue.filename if letter.status == LetterStatus.ISSUED else f"draft-{letter.pk}.pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@council_view("notices.start_letter")
def letter_new(request):
    """Start a letter no move or decision asks for, about a location (000 5.i: to a family
    choosing a provider rated below Good)."""
    council = request.council
    location = locations_for(council).filter(pk=_int(request.GET.get("location", "")) or 0).first()
    if location is None:
        raise Http404
    choices = letters_by_hand(council=council, user=request.user)
    if not choices:
        raise PermissionDenied
    form = StartForm(request.POST if request.method == "POST" else None)
    form.fields["kind"].choices = [(t.key, t.title) for t in choices]
    if request.method == "POST" and form.is_valid():
        ok, letter = on_form(
            form,
            lambda: letter_start(
                council=council, actor=request.user, kind=form.cleaned_data["kind"],
                location=location,
            ),
        )  # fmt: skip
        if ok:
            messages.success(request, "Written: enter whom it is to, check it, then issue it.")
            return redirect("letter-detail", pk=letter.pk)
    return render(
        request,
        "notices/letter_new.html",
        {"form": form, "location": location, "choices": choices},
        status=400 if form.errors else 200,
    )

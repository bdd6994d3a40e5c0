"""Pages for decisions: what waits for me, and one recommendation with its chain, where the
next step is taken in writing. Thin: selectors in, services out."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from core import extensions, files
from core.forms import ReasonForm, on_form
from core.views import council_view
from decisions import selectors
from decisions.forms import ActForm, outcome_words
from decisions.models import Recommendation
from decisions.services import recommendation_act, recommendation_withdraw

# A work queue taken oldest first: a page of it at a time, as the register's search shows.
INBOX_PAGE = 25


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 6 else None


@council_view("decisions.view_inbox")
def inbox(request):
    council = request.council
    page = Paginator(
        selectors.listed(selectors.inbox(council=council, user=request.user)), INBOX_PAGE
    ).get_page(request.GET.get("page"))
    page.object_list = selectors.with_subjects(page.object_list)
    now = timezone.now()
    for rec in page.object_list:
        rec.waited_days = (now - rec.waiting_since).days
    return render(
        request,
        "decisions/inbox.html",
        {
            "items": page,
            "mine": selectors.with_subjects(
                selectors.listed(selectors.my_waiting(council=council, user=request.user))[:50]
            ),
        },
    )


@council_view("decisions.view_inbox")
def recommendation_detail(request, pk: int):
    """Quality staff see every recommendation; anyone else only their own (a Placement
    Officer's family choice request, 000 5)."""
    see_all = request.user.has_perm("decisions.view_all", request.council)
    try:
        rec = selectors.recommendation_detail(
            council=request.council, pk=pk, user=request.user, see_all=see_all
        )
    except Recommendation.DoesNotExist:
        raise Http404 from None
    [rec] = selectors.with_subjects([rec])
    view = selectors.recommendation_view(rec=rec, user=request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    act_form = ActForm(
        request.POST if action == "act" else None,
        deciding=view.deciding,
        asks=view.asks,
        choices=view.choices,
        questions=view.decision_questions,
        outcome_words=outcome_words(rec),
        prefix="act",
    )
    withdraw_form = ReasonForm(request.POST if action == "withdraw" else None, prefix="w")
    if action == "act" and act_form.is_valid():
        ok, _ = on_form(
            act_form,
            lambda: recommendation_act(
                recommendation=rec,
                actor=request.user,
                expected_step=_int(request.POST.get("expected_step")),
                **act_form.service_data(),
            ),
        )
        if ok:
            messages.success(request, f"{rec.reference}: your decision is recorded.")
            return redirect("recommendation-detail", pk=rec.pk)
    if action == "withdraw" and withdraw_form.is_valid():
        ok, _ = on_form(
            withdraw_form,
            lambda: recommendation_withdraw(
                recommendation=rec, actor=request.user, reason=withdraw_form.cleaned_data["reason"]
            ),
        )
        if ok:
            messages.success(request, f"{rec.reference} withdrawn.")
            return redirect("recommendation-detail", pk=rec.pk)
    return render(
        request,
        "decisions/recommendation_detail.html",
        {
            "rec": rec,
            "view": view,
            "act_form": act_form,
            "withdraw_form": withdraw_form,
            "may_withdraw": rec.is_pending and rec.proposed_by_id == request.user.pk,
            "brief": extensions.brief_rows(
                request=request, location=rec.location, provider=rec.provider
            )
            if rec.is_pending
            else [],
        },
        status=400 if act_form.errors or withdraw_form.errors else 200,
    )


@council_view("decisions.view_evidence")
def evidence_download(request, pk: int):
    """A file given as evidence, downloaded under the name it was given with, by those who
    see the evidence it belongs to."""
    found = selectors.evidence_file(council=request.council, user=request.user, pk=pk)
    if found is None:
        raise Http404
    return files.download(found.file, found.original_name)

"""Pages for restrictions: the placement check (placement staff's start page, and the fastest
page in the product), the council's restrictions, one restriction with what waits on it,
proposing, changing and appealing (the issued lists and the checks made are in
views_lists). Thin: forms in, selectors and
services out."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from core import exports, extensions
from core.forms import ReasonForm, on_form
from core.views import council_view, require_perm
from providers.models import Provider
from providers.selectors import locations_for, visible_to
from restrictions.exports import restriction_columns
from restrictions.forms import (
    WHOLE,
    AppealForm,
    ChangeForm,
    ContactForm,
    PlacementCheckForm,
    ProposeForm,
    ReviewForm,
    SentForm,
)
from restrictions.models import Restriction, Status
from restrictions.pack import Restrictions
from restrictions.selectors import restrictions as selectors
from restrictions.selectors.placement import placement_search
from restrictions.services import (
    appeal_lodge,
    notice_record_sent,
    placement_check_log,
    restriction_change,
    restriction_contact_update,
    restriction_dismiss,
    restriction_propose,
    restriction_review,
    restriction_withdraw,
)
from restrictions.services.appeals import appeal_last_day, decision_letter


@council_view("restrictions.check_placements")
def placement_check(request):
    """May I place someone here? Each match's status in the council's words and colour,
    since when, whom to call first, the CQC rating and what other councils share. Every
    check is logged."""
    council = request.council
    form = PlacementCheckForm(request.GET or None)
    matches, more = [], False
    if form.is_valid():
        q = form.cleaned_data["q"]
        matches, more = placement_search(council=council, q=q)
        placement_check_log(
            council=council,
            actor=request.user,
            via="page",
            query=q,
            found=len(matches),
            shown=[m.status for m in matches],
        )
    return render(
        request,
        "restrictions/placement_check.html",
        {
            "form": form,
            "matches": matches,
            "more": more,
            "pack": Restrictions.of(council),
            "searched": form.is_bound,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@council_view("restrictions.view_restriction")
def restriction_list(request):
    council = request.council
    wanted = request.GET.get("status", "open")
    wanted = wanted if wanted in ("open", "all", *Status.values) else "open"
    found = selectors.restrictions(
        council=council,
        status="" if wanted == "all" else wanted,
        q=request.GET.get("q", "")[:100],
    )
    pack = Restrictions.of(council)
    fmt = exports.wanted(request)
    if fmt:
        return exports.export(
            found,
            columns=restriction_columns(pack),
            filename=f"restrictions-{council.code}-{timezone.localdate():%Y-%m-%d}",
            fmt=fmt,
            sheet="Restrictions",
        )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "restrictions/restriction_list.html",
        {
            "page": page,
            "rows": [(r, pack.level(r.level)) for r in page.object_list],
            "wanted": wanted,
            "q": request.GET.get("q", "")[:100],
            "pack": Restrictions.of(council),
            "statuses": [
                ("open", "Open"),
                ("active", "In place"),
                ("suggested", "Suggested by a rule"),
                ("proposed", "Waiting for a decision"),
                ("all", "All"),
            ],
            "may_propose": request.user.has_perm("restrictions.propose", council),
        },
    )


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None


@council_view("restrictions.propose")
def restriction_new(request):
    """Propose a restriction on a service, or take up one a rule suggested."""
    council = request.council
    pack = Restrictions.of(council)
    suggestion = None
    if (sid := _int(request.GET.get("suggestion"))) is not None:
        suggestion = (
            Restriction.objects.filter(council=council, pk=sid, status=Status.SUGGESTED)
            .select_related("location", "provider")
            .first()
        )
        if suggestion is None:
            raise Http404
        location, provider = suggestion.location, suggestion.provider
    else:
        location = (
            locations_for(request.council)
            .select_related("provider")
            .filter(pk=_int(request.GET.get("location")))
            .first()
        )
        provider = (
            location.provider
            if location
            else Provider.objects.filter(
                visible_to(request.council), pk=_int(request.GET.get("provider"))
            ).first()
        )
        if provider is None:
            raise Http404
    initial = {}
    if suggestion is not None:
        initial = {"level": suggestion.level, "reasons": suggestion.reasons}
    form = ProposeForm(
        request.POST or None,
        request.FILES or None,
        pack=pack,
        location=location,
        initial=initial,
        fixed_level=suggestion.level if suggestion else "",
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        whole = d.get("scope") == WHOLE or location is None
        ok, r = on_form(
            form,
            lambda: restriction_propose(
                council=council,
                actor=request.user,
                level=d["level"],
                reasons=d["reasons"],
                location=None if whole else location,
                provider=provider if whole else None,
                evidence=form.evidence(),
                details=form.details(),
                exceptions=d.get("exceptions", ""),
                contact=form.contact(),
                review_on=d.get("review_on"),
                urgent=d.get("urgent", False),
                suggestion=suggestion,
            ),
        )
        if ok:
            messages.success(
                request,
                f"{r.reference}: {pack.level(r.level).label} {r.get_status_display().lower()}.",
            )
            return redirect("restriction-detail", pk=r.pk)
    return render(
        request,
        "restrictions/restriction_new.html",
        {
            "form": form,
            "pack": pack,
            "location": location,
            "provider": provider,
            "suggestion": suggestion,
            "needs": _needs(pack.action("impose"), pack),
        },
        status=400 if form.errors else 200,
    )


def _needs(action, pack) -> str:
    return action.approval.describe(pack.policy) if action.approval else ""


def _restriction(request, pk):
    try:
        return selectors.restriction_detail(council=request.council, pk=pk)
    except Restriction.DoesNotExist:
        raise Http404 from None


@council_view("restrictions.view_restriction")
def restriction_detail(request, pk: int):
    council = request.council
    pack = Restrictions.of(council)
    action = request.POST.get("action") if request.method == "POST" else None
    detail = _restriction(request, pk)
    r = detail.restriction
    review_form = ReviewForm(
        request.POST if action == "review" else None, pack=pack, level=r.level, prefix="rv"
    )
    contact_form = ContactForm(
        request.POST if action == "contact" else None,
        prefix="ct",
        initial={
            "contact_name": r.contact_name,
            "contact_phone": r.contact_phone,
            "contact_email": r.contact_email,
            "exceptions": r.exceptions,
        },
    )
    reason_form = ReasonForm(
        request.POST if action in ("withdraw", "dismiss") else None, prefix="wd"
    )
    sent_forms = {
        n.pk: SentForm(request.POST if action == f"sent-{n.pk}" else None, prefix=f"n{n.pk}")
        for n in detail.notices
        if n.status == "requested"
    }
    done = None
    if action == "review":
        require_perm(request, "restrictions.review")
        if review_form.is_valid():
            ok, done = on_form(
                review_form,
                lambda: restriction_review(
                    restriction=r, actor=request.user, **review_form.cleaned_data
                ),
            )
    elif action == "contact":
        require_perm(request, "restrictions.review")
        if contact_form.is_valid():
            ok, done = on_form(
                contact_form,
                lambda: restriction_contact_update(
                    restriction=r,
                    actor=request.user,
                    contact=contact_form.contact(),
                    exceptions=contact_form.cleaned_data.get("exceptions", ""),
                ),
            )
    elif action in ("withdraw", "dismiss"):
        require_perm(request, "restrictions.propose")
        if reason_form.is_valid():
            service = restriction_withdraw if action == "withdraw" else restriction_dismiss
            ok, done = on_form(
                reason_form,
                lambda: service(
                    restriction=r, actor=request.user, reason=reason_form.cleaned_data["reason"]
                ),
            )
    elif action and action.startswith("sent-"):
        require_perm(request, "restrictions.record_notice")
        form = sent_forms.get(_int(action.removeprefix("sent-")))
        if form is None:
            raise Http404
        if form.is_valid():
            notice = next(n for n in detail.notices if n.pk == int(action.removeprefix("sent-")))
            ok, done = on_form(
                form,
                lambda: notice_record_sent(notice=notice, actor=request.user, **form.cleaned_data),
            )
    if done is not None:
        messages.success(request, f"{r.reference}: recorded.")
        return redirect("restriction-detail", pk=r.pk)
    failed = any(f.errors for f in [review_form, contact_form, reason_form, *sent_forms.values()])
    letter = decision_letter(r) if pack.appeals and r.status == Status.ACTIVE else None
    user = request.user
    return render(
        request,
        "restrictions/restriction_detail.html",
        {
            "detail": detail,
            "r": r,
            "pack": pack,
            "level": pack.level(r.level),
            "shared_labels": [pack.level(k).label for k in pack.sharing.levels]
            if pack.sharing
            else [],
            "failed": failed,
            "object_panels": extensions.panels(extensions.object_page, request=request, subject=r),
            "review_form": review_form,
            "contact_form": contact_form,
            "reason_form": reason_form,
            "sent_forms": sent_forms,
            "appeal_last_day": appeal_last_day(pack=pack, letter_on=letter.sent_on)
            if letter
            else None,
            "may": {
                "review": user.has_perm("restrictions.review", council)
                and r.status == Status.ACTIVE,
                "change": user.has_perm("restrictions.propose", council)
                and r.status == Status.ACTIVE,
                "appeal": bool(pack.appeals)
                and letter is not None
                and user.has_perm("restrictions.record_appeal", council),
                "notices": user.has_perm("restrictions.record_notice", council),
                "withdraw": r.status == Status.PROPOSED
                and r.recommendation_id
                and r.recommendation.proposed_by_id == user.pk,
                "dismiss": r.status == Status.SUGGESTED
                and user.has_perm("restrictions.propose", council),
            },
        },
        status=400 if failed else 200,
    )


@council_view("restrictions.propose")
def restriction_change_page(request, pk: int):
    council = request.council
    pack = Restrictions.of(council)
    r = _restriction(request, pk).restriction
    if r.status != Status.ACTIVE:
        raise Http404
    lifting = request.GET.get("lift") == "1"
    form = ChangeForm(
        request.POST or None, request.FILES or None, pack=pack, current=r.level, lifting=lifting
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _ = on_form(
            form,
            lambda: restriction_change(
                restriction=r,
                actor=request.user,
                level=d["level"],
                reasons=d["reasons"],
                evidence=form.evidence(),
                details=form.details(),
                review_on=d.get("review_on"),
                urgent=d.get("urgent", False),
            ),
        )
        if ok:
            messages.success(request, f"{r.reference}: the change is recorded.")
            return redirect("restriction-detail", pk=r.pk)
    return render(
        request,
        "restrictions/restriction_change.html",
        {
            "form": form,
            "r": r,
            "pack": pack,
            "level": pack.level(r.level),
            "lifting": lifting,
            "action": form.bound_action,
            "needs": _needs(form.bound_action, pack),
        },
        status=400 if form.errors else 200,
    )


@council_view("restrictions.record_appeal")
def appeal_new(request, pk: int):
    council = request.council
    pack = Restrictions.of(council)
    r = _restriction(request, pk).restriction
    if pack.appeals is None:
        raise Http404
    letter = decision_letter(r)
    form = AppealForm(request.POST or None, request.FILES or None, pack=pack)
    if request.method == "POST" and form.is_valid():
        ok, appeal = on_form(
            form,
            lambda: appeal_lodge(
                restriction=r,
                actor=request.user,
                received_on=form.cleaned_data["received_on"],
                grounds=form.cleaned_data["grounds"],
                evidence=form.evidence(),
            ),
        )
        if ok:
            messages.success(
                request,
                f"{appeal.reference}: the appeal is recorded and waits for the "
                f"{pack.policy.maker(pack.appeals.decided_by).title}.",
            )
            return redirect("restriction-detail", pk=r.pk)
    return render(
        request,
        "restrictions/appeal_new.html",
        {
            "form": form,
            "r": r,
            "pack": pack,
            "letter": letter,
            "last_day": appeal_last_day(pack=pack, letter_on=letter.sent_on) if letter else None,
            "decider": pack.policy.maker(pack.appeals.decided_by).title,
        },
        status=400 if form.errors else 200,
    )

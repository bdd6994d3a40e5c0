"""Pages for commissioning and the intelligence log. Thin: forms in, services out."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import exports, extensions, files
from core.errors import ValidationFailed
from core.forms import on_form
from core.views import council_view, require_perm
from monitoring import selectors
from monitoring.exports import (
    RISK_COLUMNS,
    intelligence_columns,
    review_columns,
    review_rows,
)
from monitoring.forms import (
    AttachmentForm,
    CommissioningForm,
    CorrectionForm,
    IntelligenceFilterForm,
    IntelligenceForm,
    OutcomeForm,
    ReportSentForm,
    ReviewPlanForm,
    ReviewRecordForm,
    RiskFilterForm,
    RiskOverrideForm,
)
from monitoring.models import Intelligence, IntelligenceAttachment, Review
from monitoring.pack import intelligence_rules, review_rules
from monitoring.services import (
    COMMISSIONING_FIELDS,
    attachment_add,
    attachment_rules,
    commissioning_save,
    intelligence_correct,
    intelligence_record,
    intelligence_set_outcome,
    review_plan,
    review_record,
    review_report_sent,
    risk_override_end,
    risk_override_set,
)
from providers.models import Location
from providers.selectors import locations_for
from providers.views import location_detail


def location_of(pk: int, council) -> Location:
    """A location this council may see, for the pages about it (404 otherwise)."""
    location = locations_for(council).select_related("provider").filter(pk=pk).first()
    if location is None:
        raise Http404
    return location


@council_view("monitoring.change_commissioning")
def commissioning_edit(request, location_pk: int):
    location = location_of(location_pk, request.council)
    current = selectors.commissioning_of(council=request.council, location_id=location.pk)
    initial = {f: getattr(current, f) for f in COMMISSIONING_FIELDS} if current else None
    if initial is not None:
        initial["in_area"] = str(initial["in_area"])
    form = CommissioningForm(request.POST or None, initial=initial, council=request.council)
    if request.method == "POST" and form.is_valid():
        ok, _ = on_form(
            form,
            lambda: commissioning_save(
                council=request.council, location=location, actor=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, "Commissioning saved.")
            return redirect("location-detail", pk=location.pk)
    return render(
        request,
        "monitoring/commissioning_form.html",
        {"form": form, "location": location, "current": current},
    )


@council_view("monitoring.view_intelligence")
def intelligence_list(request):
    form = IntelligenceFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.IntelligenceFilters(
        source=data.get("source") or "",
        outcome=data.get("outcome") or "",
        allocated_to=request.user.pk if data.get("mine") else None,
        q=data.get("q") or "",
    )
    items = selectors.intelligence_list(council=request.council, filters=filters)
    fmt = exports.wanted(request)
    if fmt:
        return exports.export(
            items.select_related("allocated_to"),
            columns=intelligence_columns(request.council),
            filename=f"intelligence-{request.council.code}-{timezone.localdate():%Y-%m-%d}",
            fmt=fmt,
            sheet="Intelligence",
        )
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "monitoring/intelligence_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_record": request.user.has_perm("monitoring.record_intelligence", request.council),
            "severities": {
                k: v.label for k, v in intelligence_rules(request.council).severities.items()
            },
        },
    )


@council_view("monitoring.record_intelligence")
def intelligence_new(request, location_pk: int):
    location = location_of(location_pk, request.council)
    form = IntelligenceForm(request.POST or None, council=request.council)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        whole = d.pop("whole_provider")
        ok, item = on_form(
            form,
            lambda: intelligence_record(
                council=request.council,
                actor=request.user,
                location=None if whole else location,
                provider=location.provider,
                **d,
            ),
        )
        if ok:
            messages.success(request, f"{item.reference} logged.")
            return redirect("intelligence-detail", pk=item.pk)
    return render(
        request, "monitoring/intelligence_form.html", {"form": form, "location": location}
    )


def _item(request, pk: int) -> Intelligence:
    try:
        return selectors.intelligence_detail(council=request.council, pk=pk)
    except Intelligence.DoesNotExist:
        raise Http404 from None


@council_view("monitoring.view_intelligence")
def intelligence_detail(request, pk: int):
    item = _item(request, pk)
    can_change = request.user.has_perm("monitoring.correct_intelligence", request.council)
    forms = {}
    if can_change:
        forms = {
            "outcome_form": OutcomeForm(initial={"outcome": item.outcome}, prefix="outcome"),
            "attachment_form": AttachmentForm(prefix="attach"),
            "correction_form": CorrectionForm(
                council=request.council,
                item=item,
                prefix="correct",
                initial={
                    f: getattr(item, f)
                    for f in (
                        "source",
                        "received_on",
                        "severity",
                        "themes",
                        "narrative",
                        "allocated_to",
                    )
                },
            ),
        }
        action = request.POST.get("action") if request.method == "POST" else None
        if action:
            done = _handle(request, item, action, forms)
            if done:
                return redirect("intelligence-detail", pk=item.pk)
    elif request.method == "POST":
        require_perm(request, "monitoring.correct_intelligence")
    rules = intelligence_rules(request.council)
    return render(
        request,
        "monitoring/intelligence_detail.html",
        {
            "item": item,
            "can_change": can_change,
            "themes": [rules.theme_label(t) for t in item.themes],
            "severity": rules.severity_label(item.severity),
            **forms,
        },
    )


def _handle(request, item, action, forms) -> bool:
    """Apply one of the page's forms; on a domain error, put it on that form."""
    if action == "outcome":
        form = forms["outcome_form"] = OutcomeForm(request.POST, prefix="outcome")
        call = lambda d: intelligence_set_outcome(item=item, actor=request.user, **d)  # noqa: E731
        done = "Outcome saved."
    elif action == "attach":
        form = forms["attachment_form"] = AttachmentForm(
            request.POST, request.FILES, prefix="attach"
        )

        def call(d):
            _, max_bytes = attachment_rules(item.council)
            if d["file"].size > max_bytes:  # refuse before reading a large upload
                raise ValidationFailed(
                    "",
                    errors={
                        "file": [
                            f"The file must be no larger than {max_bytes / (1024 * 1024):g} MB."
                        ]
                    },
                )
            return attachment_add(
                item=item, actor=request.user, filename=d["file"].name, content=d["file"].read()
            )

        done = "File attached."
    elif action == "correct":
        form = forms["correction_form"] = CorrectionForm(
            request.POST, council=request.council, prefix="correct", item=item
        )
        call = lambda d: intelligence_correct(item=item, actor=request.user, **d)  # noqa: E731
        done = "Correction saved."
    else:
        return False
    if not form.is_valid():
        return False
    ok, _ = on_form(form, lambda: call(dict(form.cleaned_data)))
    if ok:
        messages.success(request, done)
    return ok


@council_view("monitoring.view_intelligence")
def attachment_download(request, pk: int, attachment_pk: int):
    attachment = IntelligenceAttachment.objects.filter(
        council=request.council, item_id=pk, pk=attachment_pk
    ).first()
    if attachment is None:
        raise Http404
    return files.download(attachment.file, attachment.original_name)


@council_view("monitoring.view_monitoring")
def risk_matrix(request):
    """004 11.1: RAG rate providers, identify providers of concern and where resources
    should be directed."""
    form = RiskFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    filters = selectors.RiskFilters(
        rag=d.get("rag") or "",
        q=d.get("q") or "",
        overridden=bool(d.get("overridden")),
        sort=d.get("sort") or "score",
    )
    ratings = selectors.risk_matrix(council=request.council, filters=filters)
    fmt = request.GET.get("export") or exports.wanted(request)
    if fmt in exports.FORMATS:
        return exports.export(
            ratings,
            columns=RISK_COLUMNS,
            filename=f"risk-matrix-{request.council.code}-{timezone.localdate():%Y-%m-%d}",
            fmt=fmt,
            sheet="Risk matrix",
        )
    page = Paginator(ratings, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "monitoring/risk_matrix.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": selectors.risk_counts(council=request.council),
            "columns": extensions.columns(
                request=request, locations=[r.location for r in page.object_list], where="risk"
            ),
        },
    )


@council_view("monitoring.change_monitoring")
@require_POST
def risk_override(request, location_pk: int):
    location = location_of(location_pk, request.council)
    if request.POST.get("end"):
        try:
            risk_override_end(
                council=request.council,
                location=location,
                actor=request.user,
                reason=request.POST.get("reason", "")[:10_000],
            )
        except ValidationFailed:
            messages.error(request, "Say why the override ends.")
        return redirect("location-detail", pk=location.pk)
    form = RiskOverrideForm(request.POST, prefix="risk")
    if form.is_valid():
        ok, _ = on_form(
            form,
            lambda: risk_override_set(
                council=request.council, location=location, actor=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, "The RAG override is saved.")
            return redirect("location-detail", pk=location.pk)
    request.method = "GET"
    return location_detail(request, location.pk, forms={"risk": form})


@council_view("monitoring.view_monitoring")
def reviews_list(request):
    """Reviews due and overdue, per officer (004 11.3: "reviewed for outstanding visits")."""
    mine = request.GET.get("mine") == "1"
    due = selectors.reviews_due(council=request.council, officer=request.user if mine else None)
    fmt = exports.wanted(request)
    if fmt:
        return exports.export(
            review_rows(due),
            columns=review_columns(request.council),
            filename=f"reviews-due-{request.council.code}-{timezone.localdate():%Y-%m-%d}",
            fmt=fmt,
            sheet="Reviews due",
        )
    return render(
        request,
        "monitoring/reviews_list.html",
        {
            "due": due,
            "mine": mine,
            "today": timezone.localdate(),
            "kinds": review_rules(request.council).labels,
        },
    )


@council_view("monitoring.change_monitoring")
def review_new(request, location_pk: int):
    location = location_of(location_pk, request.council)
    form = ReviewPlanForm(request.POST or None, council=request.council)
    if request.method == "POST" and form.is_valid():
        ok, review = on_form(
            form,
            lambda: review_plan(
                council=request.council, location=location, actor=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, "Review planned.")
            return redirect("review-detail", pk=review.pk)
    return render(request, "monitoring/review_plan.html", {"form": form, "location": location})


@council_view("monitoring.view_monitoring")
def review_detail(request, pk: int):
    try:
        review = selectors.review_detail(council=request.council, pk=pk)
    except Review.DoesNotExist:
        raise Http404 from None
    can_change = request.user.has_perm("monitoring.change_monitoring", request.council)
    kind = review_rules(request.council).types.get(review.kind)
    record_form = ReviewRecordForm(
        request.POST if request.POST.get("action") == "record" else None,
        council=request.council,
        rated_as=kind.label if kind and kind.rated else "",
        prefix="record",
        initial={"announced": str(review.announced), "officers": list(review.officers.all())},
    )
    sent_form = ReportSentForm(
        request.POST if request.POST.get("action") == "sent" else None,
        prefix="sent",
        initial={"sent_on": timezone.localdate()},
    )
    if request.method == "POST":
        require_perm(request, "monitoring.change_monitoring")
        form, call = (record_form, lambda d: review_record(review=review, actor=request.user, **d))
        if request.POST.get("action") == "sent":
            form, call = (
                sent_form,
                lambda d: review_report_sent(review=review, actor=request.user, **d),
            )
        if form.is_valid() and on_form(form, lambda: call(dict(form.cleaned_data)))[0]:
            messages.success(request, "Review saved.")
            return redirect("review-detail", pk=review.pk)
    return render(
        request,
        "monitoring/review_detail.html",
        {
            "review": review,
            "kind": review_rules(request.council).label(review.kind),
            "can_change": can_change,
            "record_form": record_form,
            "sent_form": sent_form,
        },
    )


@council_view("monitoring.view_monitoring")
def location_timeline(request, location_pk: int):
    """Everything about a location in date order, from every app's timeline source,
    filterable by kind."""
    location = location_of(location_pk, request.council)
    kinds = {source.name: source.label for source in extensions.timeline}
    chosen = [k for k in request.GET.getlist("kind")[:20] if k in kinds]
    entries = extensions.timeline_entries(council=request.council, location=location, kinds=chosen)
    return render(
        request,
        "monitoring/timeline.html",
        {"location": location, "entries": entries, "kinds": kinds, "chosen": chosen},
    )

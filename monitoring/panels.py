"""Where monitoring shows itself on pages other apps own: its navigation entries, its panels
on the location page and on the start page, and its sources of a location's timeline
(registered in `MonitoringConfig.ready`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core import extensions
from core.extensions import Column, NavEntry, Panel, TimelineEntry, TimelineSource
from monitoring import selectors
from monitoring.forms import RiskOverrideForm
from monitoring.models import ImprovementPlan, Rag, Review, RiskHistory, RiskRating
from monitoring.pack import review_rules
from providers.models import Rating


def _may(request, perm: str) -> bool:
    return request.council is not None and request.user.has_perm(perm, request.council)


def timeline_link(*, request, location, forms) -> dict | None:
    return {} if _may(request, "monitoring.view_intelligence") else None


def risk_panel(*, request, location, forms) -> dict | None:
    if not _may(request, "monitoring.view_intelligence"):
        return None
    risk, history = selectors.risk_of(council=request.council, location_id=location.pk)
    context = {"risk": risk, "risk_history": history}
    if _may(request, "monitoring.change_monitoring"):
        context["risk_form"] = forms.get("risk") or RiskOverrideForm(prefix="risk")
    return context


def record_panel(*, request, location, forms) -> dict | None:
    """What the council commissions here (with high impact and market risk) and its latest
    intelligence."""
    council = request.council
    if not _may(request, "monitoring.view_commissioning"):
        return None
    commissioning = selectors.commissioning_of(council=council, location_id=location.pk)
    context = {
        "commissioning": commissioning,
        "can_change_commissioning": _may(request, "monitoring.change_commissioning"),
        "position": selectors.market_position(council=council, commissioning=commissioning)
        if commissioning is not None
        else None,
        "intelligence": None,
    }
    if _may(request, "monitoring.view_intelligence"):
        items = selectors.intelligence_list(
            council=council, filters=selectors.IntelligenceFilters(location=location.pk)
        )
        context["intelligence"] = list(items[:10])
        context["intelligence_count"] = (
            items.count() if len(context["intelligence"]) == 10 else len(context["intelligence"])
        )
        context["can_record_intelligence"] = _may(request, "monitoring.record_intelligence")
    return context


def reviews_panel(*, request, location, forms) -> dict | None:
    council = request.council
    if not _may(request, "monitoring.view_intelligence"):
        return None
    return {
        "reviews": selectors.location_reviews(council=council, location_id=location.pk),
        "plans": selectors.location_plans(council=council, location_id=location.pk),
        "review_kinds": review_rules(council).labels,
        "can_record_intelligence": _may(request, "monitoring.record_intelligence"),
    }


RAG_COLOURS = {"red": "red", "amber": "orange", "green": "green"}


def rag_cells(*, council, locations) -> dict[int, str]:
    """The RAG column of location lists (issue 13): one query for the page. `locations` are
    (location id, provider id) pairs."""
    ids = [lid for lid, _ in locations]
    out = {}
    for lid, rag in RiskRating.objects.filter(council=council, location_id__in=ids).values_list(
        "location_id", "rag"
    ):
        label = dict(RiskRating._meta.get_field("rag").choices).get(rag, rag)
        out[lid] = format_html(
            '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
            RAG_COLOURS.get(rag, "grey"),
            label,
        )
    return out


RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


def trend_cells(*, council, locations) -> dict[int, str]:
    """The risk matrix's trend column (issue 13): the RAG now against the one before it in
    the location's history, in one query for the page."""
    ids = [lid for lid, _ in locations]
    seen: dict[int, list[str]] = {}
    for lid, rag in (
        RiskHistory.objects.filter(council=council, location_id__in=ids)
        .order_by("location_id", "-at", "-id")
        .values_list("location_id", "rag")
    ):
        got = seen.setdefault(lid, [])
        if len(got) < 2 and (not got or got[-1] != rag):
            got.append(rag)
    out = {}
    for lid, rags in seen.items():
        if len(rags) < 2:
            out[lid] = format_html('<span class="govuk-body-s">{}</span>', "Steady")
            continue
        worse = RAG_ORDER.get(rags[0], 0) > RAG_ORDER.get(rags[1], 0)
        out[lid] = format_html(
            '<strong class="govuk-tag govuk-tag--{}">{}</strong><br>'
            '<span class="govuk-body-s">was {}</span>',
            "red" if worse else "green",
            "Worsening" if worse else "Improving",
            Rag(rags[1]).label.lower() if rags[1] in Rag.values else rags[1],
        )
    return out


def last_review_cells(*, council, locations) -> dict[int, str]:
    """The risk matrix's last review column (issue 13): the latest completed review or visit,
    in the council's words, in one query for the page."""
    ids = [lid for lid, _ in locations]
    kinds = review_rules(council).labels
    out = {}
    for lid, kind, on in (
        Review.objects.filter(
            council=council, location_id__in=ids, status="completed", visited_on__isnull=False
        )
        .order_by("location_id", "-visited_on", "-id")
        .values_list("location_id", "kind", "visited_on")
    ):
        if lid not in out:
            out[lid] = format_html(
                '{}<br><span class="govuk-body-s">{}</span>',
                f"{on:%-d %b %Y}",
                kinds.get(kind, kind),
            )
    return out


def dashboard_panel(*, request) -> dict | None:
    """An officer's start page: their locations by RAG, the intelligence waiting for them,
    their reviews and the plan actions they monitor."""
    if not _may(request, "monitoring.view_intelligence"):
        return None
    return {
        "dashboard": selectors.officer_dashboard(council=request.council, user=request.user),
        "today": timezone.localdate(),
    }


# --- the timeline ----------------------------------------------------------------------------


def rating_entries(*, council, location, limit) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            r.report_date,
            "rating",
            f"{r.regulator} rating: {r.overall}",
            ", ".join(f"{label} {v}" for label, v in r.key_questions if v),
        )
        for r in Rating.objects.filter(location=location).order_by("-report_date")[:limit]
    ]


def intelligence_entries(*, council, location, limit) -> list[TimelineEntry]:
    items = selectors.intelligence_list(
        council=council, filters=selectors.IntelligenceFilters(location=location.pk)
    )[:limit]
    return [
        TimelineEntry(
            i.received_on,
            "intelligence",
            f"{i.reference}: {i.get_source_display()}",
            f"{i.severity}, {i.get_outcome_display().lower()}"
            + ("" if i.counts_toward_risk else " (not counted)"),
            reverse("intelligence-detail", args=[i.pk]),
        )
        for i in items
    ]


def review_entries(*, council, location, limit) -> list[TimelineEntry]:
    labels = review_rules(council).labels
    return [
        TimelineEntry(
            r.visited_on or r.planned_for,
            "review",
            f"{labels.get(r.kind, r.kind.replace('_', ' '))}: {r.get_status_display().lower()}",
            r.findings[:200],
            reverse("review-detail", args=[r.pk]),
        )
        for r in Review.objects.filter(council=council, location=location)[:limit]
    ]


def plan_entries(*, council, location, limit) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            p.started_on,
            "plan",
            f"{p.get_kind_display()}: {p.title}",
            p.get_status_display(),
            reverse("plan-detail", args=[p.pk]),
        )
        for p in ImprovementPlan.objects.filter(council=council, location=location)[:limit]
    ]


def risk_entries(*, council, location, limit) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            timezone.localdate(h.at),
            "risk",
            f"Risk rating {h.get_rag_display()}",
            f"score {h.score.normalize():f}. {h.note}",
        )
        for h in RiskHistory.objects.filter(council=council, location=location)[:limit]
    ]


def register() -> None:
    for entry in (
        NavEntry(
            "risk",
            "Risk matrix",
            "risk-matrix",
            "monitoring.view_monitoring",
            order=20,
            sections=("/risk/",),
        ),
        NavEntry(
            "reviews",
            "Reviews",
            "reviews-list",
            "monitoring.view_monitoring",
            order=30,
            sections=("/reviews/", "/plans/"),
        ),
        NavEntry(
            "intelligence",
            "Intelligence",
            "intelligence-list",
            "monitoring.view_intelligence",
            order=50,
            sections=("/intelligence/",),
        ),
    ):
        extensions.navigation.register(entry)
    for panel in (
        Panel(
            "monitoring.timeline", "monitoring/panels/location_timeline_link.html", timeline_link, 5
        ),
        Panel("monitoring.risk", "monitoring/panels/location_risk.html", risk_panel, 20),
        Panel("monitoring.record", "monitoring/panels/location_record.html", record_panel, 30),
        Panel("monitoring.reviews", "monitoring/panels/location_reviews.html", reviews_panel, 40),
    ):
        extensions.location_page.register(panel)
    extensions.location_columns.register(
        Column(
            "monitoring.rag",
            "RAG",
            rag_cells,
            "monitoring.view_intelligence",
            where=("search",),
            order=5,
        )
    )
    extensions.location_columns.register(
        Column(
            "monitoring.trend",
            "Trend",
            trend_cells,
            "monitoring.view_intelligence",
            where=("risk",),
            order=6,
        )
    )
    extensions.location_columns.register(
        Column(
            "monitoring.last_review",
            "Last review",
            last_review_cells,
            "monitoring.view_intelligence",
            where=("risk",),
            order=7,
        )
    )
    extensions.start_page.register(
        Panel("monitoring.dashboard", "monitoring/panels/start_dashboard.html", dashboard_panel, 30)
    )
    for source in (
        TimelineSource("rating", "Ratings", rating_entries, 10),
        TimelineSource("intelligence", "Intelligence", intelligence_entries, 20),
        TimelineSource("review", "Reviews and visits", review_entries, 30),
        TimelineSource("plan", "Plans", plan_entries, 40),
        TimelineSource("risk", "Risk rating", risk_entries, 50),
    ):
        extensions.timeline.register(source)

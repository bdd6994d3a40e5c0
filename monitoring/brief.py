"""Monitoring's facts beside a decision about a service (issue 13): its risk rating and what
drives it, its improvement plan, and its last review or visit."""

from __future__ import annotations

from django.urls import reverse

from core.extensions import BriefRow
from monitoring.models import ImprovementPlan, Review, ReviewStatus, RiskRating
from monitoring.pack import review_rules


def monitoring_rows(*, council, location=None, provider=None) -> list[BriefRow]:
    if location is None:
        return []
    page = reverse("location-detail", args=[location.pk])
    rows = []
    risk = RiskRating.objects.filter(council=council, location=location).first()
    if risk is None:
        rows.append(BriefRow("Risk rating", "Not on the council's risk matrix"))
    else:
        top = sorted(risk.factors or [], key=lambda f: -float(f.get("points") or 0))[:3]
        rows.append(
            BriefRow(
                "Risk rating",
                f"{risk.get_rag_display()}, score {risk.score:g}",
                page,
                "; ".join(f"{f.get('factor', '')}: {f.get('detail', '')}".strip(": ") for f in top),
            )
        )
    plan = (
        ImprovementPlan.objects.filter(council=council, location=location)
        .order_by("-started_on", "-id")
        .first()
    )
    rows.append(
        BriefRow(
            "Improvement plan",
            f"{plan.title}: {plan.get_status_display().lower()} since "
            f"{plan.started_on:%-d %B %Y}"
            + (f", {plan.failed_reviews} reviews not met" if plan.failed_reviews else "")
            if plan
            else "None agreed",
            page if plan else "",
        )
    )
    review = (
        Review.objects.filter(council=council, location=location, status=ReviewStatus.COMPLETED)
        .order_by("-visited_on", "-id")
        .first()
    )
    if review is None:
        rows.append(BriefRow("Last review", "None completed"))
    else:
        kind = review_rules(council).labels.get(review.kind, review.kind)
        when = f" on {review.visited_on:%-d %B %Y}" if review.visited_on else ""
        rows.append(
            BriefRow(
                "Last review",
                f"{kind}{when}" + (f", rated {review.rating}" if review.rating else ""),
                page,
            )
        )
    return rows

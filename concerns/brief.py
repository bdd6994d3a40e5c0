"""Concerns' facts beside a decision about a service (issue 13): open safeguarding (a Serious
Concerns or Whole Service Concern track) and the case's stage."""

from __future__ import annotations

from django.urls import reverse

from concerns.models import Case, SafeguardingTrack
from concerns.pack import Ladder
from core.extensions import BriefRow


def concern_rows(*, council, location=None, provider=None) -> list[BriefRow]:
    if location is None:
        return []
    tracks = list(
        SafeguardingTrack.objects.filter(
            council=council, case__location=location, closed_at__isnull=True
        ).select_related("case")[:5]
    )
    rows = [
        BriefRow(
            "Open safeguarding",
            "; ".join(f"{t.label}, since {t.opened_at:%-d %B %Y}" for t in tracks)
            if tracks
            else "None open",
            reverse("case-detail", args=[tracks[0].case_id]) if tracks else "",
        )
    ]
    case = (
        Case.objects.filter(council=council, location=location, closed_at__isnull=True)
        .order_by("-opened_at")
        .first()
    )
    if case is not None:
        stage = Ladder.of(council).stage(case.stage)
        rows.append(
            BriefRow(
                "Case",
                f"{case.reference}: {stage.label if stage else case.get_stage_display()}",
                reverse("case-detail", args=[case.pk]),
            )
        )
    return rows

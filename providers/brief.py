"""The register's facts beside a decision about a service (issue 13): its latest CQC rating,
with the report's date and a link to CQC's page."""

from __future__ import annotations

from core.extensions import BriefRow
from providers.models import Rating


def rating_rows(*, council, location=None, provider=None) -> list[BriefRow]:
    if location is None:
        return []
    rating = Rating.objects.filter(location=location).order_by("-report_date", "-id").first()
    if rating is None:
        return [BriefRow("CQC rating", "Not yet rated")]
    words = rating.overall or "No overall rating"
    weak = [
        name
        for name, value in (
            ("Safe", rating.safe),
            ("Effective", rating.effective),
            ("Caring", rating.caring),
            ("Responsive", rating.responsive),
            ("Well-led", rating.well_led),
        )
        if value in ("Inadequate", "Requires improvement")
    ]
    url = (
        f"https://www.cqc.org.uk/location/{location.cqc_location_id}"
        if location.cqc_location_id
        else ""
    )
    return [
        BriefRow(
            "CQC rating",
            f"{words}, report of {rating.report_date:%-d %B %Y}",
            url,
            ("Below Good in: " + ", ".join(weak)) if weak else "",
        )
    ]

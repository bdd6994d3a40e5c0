"""What an issue of a list shows, built once when it is issued and kept as issued (the pages,
CSV and API read the kept content, never today's restrictions): sections by level in the
council's words, grouped by its areas where the list says so (003 memo: Taunton, Mendip,
Sedgemoor and West Somerset, South Somerset), each entry with the service type code, name and
address, the council contact and the date added, and the restrictions removed since the
previous issue."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db.models import Prefetch
from django.template.loader import render_to_string

from core.exports import safe
from core.pdf import pdf_render
from monitoring.models import Commissioning
from monitoring.selectors import locations_in_scope
from providers.models import Location, ServiceType
from restrictions.models import ListIssue, Restriction, Status
from restrictions.pack import ListDef, Restrictions

OTHER_AREA = "Other areas"


def _entry(r: Restriction, location: Location | None, *, pack, ldef, specialist: set[int]):
    policy = pack.policy
    area = (
        policy.area_of(location.postcode).name
        if location and policy.area_of(location.postcode)
        else ""
    )
    types = [t.name for t in location.service_types.all()] if location else []
    return {
        "key": f"L{location.pk}" if location else f"P{r.provider_id}",
        "reference": r.reference,
        "level": r.level,
        "area": area,
        "code": ldef.code_of(types, location.pk in specialist) if location else "",
        "name": location.name if location else f"{r.provider.name} (all services)",
        "provider": r.provider.name,
        "address": location.address if location else "",
        "cqc_location_id": (location.cqc_location_id or "") if location else "",
        "contact": r.contact_name,
        "telephone": r.contact_phone,
        "email": r.contact_email,
        "added": r.level_since.isoformat() if r.level_since else "",
        "added_label": f"{r.level_since:%-d %B %Y}" if r.level_since else "",
        "whole_provider": r.location_id is None,
    }


def current_entries(*, council, pack: Restrictions, ldef: ListDef, levels=None) -> list[dict]:
    """The restrictions in place at the list's levels (or at `levels`), one entry per service
    (a whole provider's restriction lists each of its services the council commissions or has
    in its area; a provider with none there is listed once)."""
    levels = ldef.levels if levels is None else levels
    rows = list(
        Restriction.objects.filter(council=council, status=Status.ACTIVE, level__in=levels)
        .select_related("provider", "location")
        .prefetch_related(
            Prefetch("location__service_types", queryset=ServiceType.objects.only("name"))
        )
    )
    wide = {r.provider_id for r in rows if r.location_id is None}
    services = {}
    if wide:
        for loc in (
            locations_in_scope(council)
            .filter(provider_id__in=wide)
            .prefetch_related(Prefetch("service_types", queryset=ServiceType.objects.only("name")))
        ):
            services.setdefault(loc.provider_id, []).append(loc)
    specialist = set(
        Commissioning.objects.filter(council=council)
        .exclude(specialist_service="")
        .values_list("location_id", flat=True)
    )
    out = []
    for r in rows:
        locations = [r.location] if r.location_id else services.get(r.provider_id) or [None]
        for loc in locations:
            out.append(_entry(r, loc, pack=pack, ldef=ldef, specialist=specialist))
    return out


def _grouped(entries: list[dict], pack: Restrictions, by_area: bool) -> list[dict]:
    entries = sorted(entries, key=lambda e: (e["name"].lower(), e["key"]))
    if not by_area:
        return [{"area": "", "entries": entries}]
    names = [a.name for a in pack.policy.areas]
    groups = [{"area": n, "entries": [e for e in entries if e["area"] == n]} for n in names]
    rest = [e for e in entries if e["area"] not in names]
    if rest:
        groups.append({"area": OTHER_AREA, "entries": rest})
    return groups


def list_content(
    *, council, pack: Restrictions, ldef: ListDef, previous: ListIssue | None, on: dt.date
) -> tuple[dict, list[str]]:
    entries = current_entries(council=council, pack=pack, ldef=ldef)
    keys = sorted({e["key"] for e in entries})
    sections = []
    for section in ldef.sections:
        level = pack.level(section.level)
        sections.append(
            {
                "level": section.level,
                "heading": section.heading,
                "description": section.description,
                "label": level.label,
                "colour": level.colour,
                "groups": _grouped(
                    [e for e in entries if e["level"] == section.level], pack, ldef.group_by_area
                ),
            }
        )
    removed = None
    if ldef.removed is not None:
        gone = []
        if previous is not None:
            # Still restricted at a level the list does not show (a RED terminated): not
            # "removed ... and SCC are now placing" (003 memo).
            restricted = {
                e["key"]
                for e in current_entries(
                    council=council,
                    pack=pack,
                    ldef=ldef,
                    levels=[lv.key for lv in pack.restrictive_levels],
                )
            }
            listed_before = [
                e for s in previous.content["sections"] for g in s["groups"] for e in g["entries"]
            ]
            seen = set()
            for e in listed_before:
                if e["key"] not in restricted and e["key"] not in seen:
                    seen.add(e["key"])
                    gone.append(e)
        none = pack.level("none")
        removed = {
            "heading": ldef.removed.heading,
            "description": ldef.removed.description,
            "label": none.label,
            "colour": none.colour,
            "groups": _grouped(gone, pack, ldef.group_by_area),
        }
    content = {
        "title": ldef.title,
        "marking": ldef.marking,
        "intro": ldef.intro,
        "issued_on": on.isoformat(),
        "codes": [{"code": c.code, "label": c.label} for c in ldef.service_codes],
        "sections": sections,
        "removed": removed,
    }
    return content, keys


def issues(*, council, list_key: str = ""):
    qs = ListIssue.objects.filter(council=council).defer("content")
    return qs.filter(list_key=list_key) if list_key else qs


def issue_detail(*, council, pk: int) -> ListIssue:
    return ListIssue.objects.get(council=council, pk=pk)


CSV_COLUMNS = [
    ("section", "Section"),
    ("area", "Area"),
    ("code", "Type of service"),
    ("name", "Name"),
    ("address", "Address"),
    ("cqc_location_id", "CQC location ID"),
    ("contact", "Council contact"),
    ("telephone", "Telephone"),
    ("email", "Email"),
    ("added", "Date added"),
    ("reference", "Reference"),
]


def issue_rows(issue: ListIssue):
    """The issue's entries as rows, section by section (the removed section last)."""
    parts = list(issue.content["sections"])
    if issue.content.get("removed"):
        parts.append(issue.content["removed"])
    for section in parts:
        for group in section["groups"]:
            for e in group["entries"]:
                yield {**e, "section": section["heading"], "area": group["area"]}


def issue_csv(issue: ListIssue) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    marking = issue.content.get("marking")
    if marking:
        writer.writerow([marking])
    writer.writerow([f"{issue.title}, no. {issue.number}, issued {issue.issued_on:%-d %B %Y}"])
    writer.writerow([label for _, label in CSV_COLUMNS])
    for row in issue_rows(issue):
        writer.writerow([safe(row.get(key, "")) for key, _ in CSV_COLUMNS])
    return out.getvalue()


def issue_pdf(issue: ListIssue) -> bytes:
    """The issue as a tagged PDF (landscape A4, its marking on every page): what is circulated
    and printed (003 Managed Placements Memo; 004 Providers with Restrictions List)."""
    content = issue.content
    sections = [*content.get("sections", [])]
    if content.get("removed"):
        sections.append(content["removed"])
    html = render_to_string(
        "restrictions/list_issue_pdf.html",
        {"issue": issue, "content": content, "sections": sections, "council": issue.council},
    )
    return pdf_render(html)

"""Where escalation shows itself on pages other apps own (registered in
`ConcernsConfig.ready`): the navigation, the case panel on the location page, a location's
timeline, and the reviews a case's stage suspends (003 1.13)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from concerns.models import Case, Stage
from concerns.pack import Ladder
from concerns.selectors import (
    case_timeline_entries,
    new_alerts_count,
    open_case_of,
    unassigned_count,
)
from core import extensions
from core.audit import audit_link, audit_object_type
from core.extensions import Column, NavEntry, Panel, TimelineEntry, TimelineSource, Waiting
from core.models import OPEN_TIMER_STATUSES, Timer
from councils.models import Council
from councils.permissions import roles_in
from councils.policy import policy_of
from monitoring.selectors import review_suspension


def escalation_panel(*, request, location, forms) -> dict | None:
    """The location's open case and its stage, or a way to open one; and the exceptions the
    person may ask for (000 5: the Placement Officer's family choice)."""
    council, user = request.council, request.user
    if council is None or not policy_of(council).has("escalation"):
        return None
    ladder = Ladder.of(council)
    context: dict = {"case": None, "can_open_case": False}
    if user.has_perm("concerns.view_case", council):
        case = open_case_of(council=council, location=location)
        context["case"] = case
        context["case_stage"] = ladder.stage_label(case.stage) if case else ""
        context["can_open_case"] = user.has_perm("concerns.open_case", council)
    mine = roles_in(user, council)
    context["exceptions"] = [x for x in ladder.exceptions if x.by & mine]
    if context["case"] is None and not context["can_open_case"] and not context["exceptions"]:
        return None
    return context


def case_entries(*, council, location, limit) -> list[TimelineEntry]:
    """Openings, moves and decisions, as the audit log recorded them."""
    return [
        TimelineEntry(
            timezone.localdate(a.at),
            "case",
            a.summary,
            f"{a.actor_label}: {a.reason[:200]}" if a.reason else a.actor_label,
            audit_link(a),
        )
        for a in case_timeline_entries(council=council, location=location, limit=limit)
    ]


def suspended_reviews(council: Council) -> tuple[dict, dict]:
    """({location_id: (kinds, why)}, {provider_id: (kinds, why)}) for open cases whose stage
    suspends some kinds of review (003 1.13: "Contract visits will be suspended during this
    process and reinstated after the process ends"); one query."""
    by_location: dict = {}
    by_provider: dict = {}
    if not policy_of(council).has("escalation"):
        return by_location, by_provider
    ladder = Ladder.of(council)
    if not any(st.suspends_reviews for st in ladder.stages):
        return by_location, by_provider
    rows = (
        Case.objects.filter(council=council)
        .exclude(stage=Stage.CLOSED)
        .values_list("reference", "stage", "location_id", "provider_id")
    )
    for reference, stage, location_id, provider_id in rows:
        kinds = ladder.suspended_reviews(stage)
        if kinds:
            why = f"{reference} is at “{ladder.stage_label(stage)}”"
            if location_id:
                by_location[location_id] = (kinds, why)
            else:
                by_provider[provider_id] = (kinds, why)
    return by_location, by_provider


def case_cells(*, council, locations) -> dict[int, str]:
    """The case column of location lists (issue 13): the open case's stage in the council's
    words, linked; one query for the page (a whole-provider case shows on each service)."""
    pairs = list(locations)  # (location id, provider id)
    ids = {lid for lid, _ in pairs}
    providers = {pid for _, pid in pairs}
    ladder = Ladder.of(council)
    out: dict[int, str] = {}
    cases = (
        Case.objects.filter(council=council)
        .exclude(stage=Stage.CLOSED)
        .filter(
            models.Q(location_id__in=ids)
            | models.Q(location__isnull=True, provider_id__in=providers)
        )
        .values_list("pk", "stage", "location_id", "provider_id")
    )
    by_provider = {}
    for pk, stage, location_id, provider_id in cases:
        found = ladder.stage(stage)
        cell = format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("case-detail", args=[pk]),
            found.label if found else stage,
        )
        if location_id:
            out[location_id] = cell
        else:
            by_provider[provider_id] = cell
    for lid, pid in pairs:
        if lid not in out and pid in by_provider:
            out[lid] = by_provider[pid]
    return out


def my_cases_panel(*, request) -> dict | None:
    """The officer's start page: the open cases they lead, each with its stage and the next
    time limit on it, soonest first (a fixed number of queries)."""
    council = request.council
    if not request.user.has_perm("concerns.open_case", council):
        return None
    cases = list(
        Case.objects.filter(council=council, lead_officer=request.user)
        .exclude(stage=Stage.CLOSED)
        .select_related("location", "provider")
        .order_by("-stage_since")[:50]
    )
    if not cases:
        return None
    ladder = Ladder.of(council)
    nxt: dict[str, Timer] = {}
    for t in Timer.objects.filter(
        council=council,
        subject_type="concerns.case",
        subject_id__in=[str(c.pk) for c in cases],
        status__in=OPEN_TIMER_STATUSES,
    ).order_by("due_at", "id"):
        nxt.setdefault(t.subject_id, t)
    rows = [
        {
            "case": c,
            "stage": (ladder.stage(c.stage).label if ladder.stage(c.stage) else c.stage),
            "next": nxt.get(str(c.pk)),
        }
        for c in cases
    ]
    far = timezone.now() + dt.timedelta(days=36500)
    rows.sort(key=lambda r: r["next"].due_at if r["next"] else far)
    return {"my_cases": rows, "now": timezone.now()}


def register() -> None:
    extensions.waiting.register(
        Waiting(
            "cases.alerts",
            ("alert from the rules to handle", "alerts from the rules to handle"),
            "alert-list",
            "concerns.handle_alert",
            lambda *, council, user: new_alerts_count(council=council),
            nav="cases",
            order=30,
        )
    )
    extensions.waiting.register(
        Waiting(
            "cases.unassigned",
            ("open case with no lead officer", "open cases with no lead officer"),
            "case-list",
            "concerns.assign_lead",
            lambda *, council, user: unassigned_count(council=council),
            nav="cases",
            query="unassigned=1",
            order=40,
        )
    )
    extensions.navigation.register(
        NavEntry(
            "cases",
            "Cases and decisions",
            "case-list",
            "concerns.view_case",
            40,
            sections=("/cases/", "/decisions/", "/alerts/", "/safeguarding/"),
            replaces=("decisions",),
        )
    )
    extensions.section_nav.register(
        NavEntry("cases.list", "Cases", "case-list", "concerns.view_case", 10, group="cases")
    )
    extensions.section_nav.register(
        NavEntry(
            "cases.alerts",
            "Alerts from the rules",
            "alert-list",
            "concerns.view_case",
            30,
            group="cases",
        )
    )
    extensions.location_columns.register(
        Column("concerns.case", "Case", case_cells, "concerns.view_case", order=8)
    )
    extensions.start_page.register(
        Panel("concerns.my_cases", "concerns/panels/start_my_cases.html", my_cases_panel, 20)
    )
    extensions.location_page.register(
        Panel(
            "concerns.escalation", "concerns/panels/location_escalation.html", escalation_panel, 10
        )
    )
    extensions.timeline.register(TimelineSource("case", "Cases and decisions", case_entries, 60))
    review_suspension(suspended_reviews)
    audit_object_type("concerns.case", "case-detail")

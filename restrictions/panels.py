"""Where restrictions show themselves on pages other apps own (registered in
`RestrictionsConfig.ready`): the status banner on every location page for every role, the
restrictions panel in the council's record, the status column in the register's search and
the risk matrix, the start page (the placement check for placement staff; what waits for the
quality team), the navigation and the timeline."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core import extensions
from core.audit import audit_object_type
from core.extensions import Column, NavEntry, Panel, TimelineEntry, TimelineSource, Waiting
from core.models import Timer, TimerStatus
from core.views import id_url
from councils.models import Role
from councils.permissions import roles_in
from councils.policy import policy_of
from restrictions.forms import PlacementCheckForm
from restrictions.models import Notice, NoticeStatus, Restriction, Status
from restrictions.pack import Restrictions
from restrictions.selectors import restrictions as selectors
from restrictions.selectors.status import status_of, statuses


def _has_pack(council) -> bool:
    return (
        council is not None and council.active_policy_id and policy_of(council).has("restrictions")
    )


def banner(*, request, location) -> dict | None:
    """Every role sees the status first: the council's own, then what others share."""
    council = request.council
    if not _has_pack(council) or not request.user.has_perm("restrictions.view_status", council):
        return None
    return {
        "status": status_of(council=council, location=location),
        "can_see_restriction": request.user.has_perm("restrictions.view_restriction", council),
    }


def location_panel(*, request, location, forms) -> dict | None:
    """The council's restrictions on this service (and its provider's), and a way to
    propose one."""
    council, user = request.council, request.user
    if not _has_pack(council) or not user.has_perm("restrictions.view_restriction", council):
        return None
    pack = Restrictions.of(council)
    return {
        "pack": pack,
        "restrictions": [
            (r, pack.level(r.level))
            for r in selectors.restrictions(council=council, location=location)[:10]
        ],
        "may_propose": user.has_perm("restrictions.propose", council)
        and bool(roles_in(user, council) & Restrictions.of(council).action("impose").by),
    }


def placement_panel(*, request) -> dict | None:
    """Placement staff start with the check."""
    council = request.council
    if not _has_pack(council) or Role.PLACEMENT not in roles_in(request.user, council):
        return None
    return {"form": PlacementCheckForm(), "pack": Restrictions.of(council)}


def waiting_panel(*, request) -> dict | None:
    """What waits for the quality team: suggestions from the rules, notices to send, reviews
    and time limits passed."""
    council, user = request.council, request.user
    if not _has_pack(council) or not user.has_perm("restrictions.propose", council):
        return None
    today = timezone.localdate()
    suggested = Restriction.objects.filter(council=council, status=Status.SUGGESTED).count()
    notices = Notice.objects.filter(council=council, status=NoticeStatus.REQUESTED)
    overdue = Timer.objects.filter(
        council=council, subject_type="restrictions.restriction", status=TimerStatus.FIRED
    ).count()
    reviews = Restriction.objects.filter(
        council=council, status=Status.ACTIVE, review_on__lte=today + dt.timedelta(days=14)
    ).count()
    context = {
        "suggested": suggested,
        "notices": notices.count(),
        "notices_late": notices.filter(due_on__lt=today).count(),
        "overdue": overdue,
        "reviews": reviews,
        "in_place": Restriction.objects.filter(council=council, status=Status.ACTIVE).count(),
    }
    return context


def status_cells(*, council, locations) -> dict[int, str]:
    """The status column: the council's word in its colour, and what others share."""
    if not _has_pack(council):
        return {}
    out = {}
    for lid, st in statuses(council=council, locations=locations).items():
        if st.restricted:
            cell = format_html(
                '<strong class="govuk-tag govuk-tag--{}">{}</strong>', st.colour, st.label
            )
        else:  # the council's words, quietly: a list of tags would hide the restricted ones
            cell = format_html('<span class="govuk-body-s">{}</span>', st.label)
        if st.others:
            cell += format_html(
                '<br><span class="govuk-body-s">{}</span>',
                format_html_join("; ", "{}: {}", ((o.council_name, o.label) for o in st.others)),
            )
        out[lid] = cell
    return out


def restriction_entries(*, council, location, limit) -> list[TimelineEntry]:
    if not _has_pack(council):
        return []
    pack = Restrictions.of(council)
    url = id_url("restriction-detail")
    return [
        TimelineEntry(
            e.on,
            "restriction",
            f"{e.restriction.reference}: {e.get_kind_display()}"
            + (f" ({pack.level(e.to_level).label})" if e.to_level else ""),
            f"{e.actor_label}: {e.reason[:200]}" if e.reason else e.actor_label,
            url(e.restriction_id),
        )
        for e in selectors.events_of_locations(council=council, location=location, limit=limit)
    ]


def _suggested(*, council, user) -> int:
    if not _has_pack(council):
        return 0
    return Restriction.objects.filter(council=council, status=Status.SUGGESTED).count()


def register() -> None:
    extensions.waiting.register(
        Waiting(
            "restrictions.suggested",
            ("restriction suggested by the rules", "restrictions suggested by the rules"),
            "restriction-list",
            "restrictions.propose",
            _suggested,
            nav="restrictions",
            query="status=suggested",
            order=50,
        )
    )
    extensions.navigation.register(
        NavEntry(
            "placements",
            "Placement check",
            "placement-check",
            "restrictions.check_placements",
            5,
            sections=("/placements/", "/restriction-lists/"),
        )
    )
    extensions.navigation.register(
        NavEntry(
            "restrictions",
            "Restrictions",
            "restriction-list",
            "restrictions.view_restriction",
            45,
            sections=("/restrictions/",),
        )
    )
    extensions.section_nav.register(
        NavEntry(
            "placements.check",
            "Check a provider",
            "placement-check",
            "restrictions.check_placements",
            10,
            group="placements",
        )
    )
    extensions.section_nav.register(
        NavEntry(
            "placements.lists",
            "Lists",
            "restriction-lists",
            "restrictions.view_lists",
            20,
            group="placements",
        )
    )
    extensions.section_nav.register(
        NavEntry(
            "placements.checks",
            "Checks made",
            "placement-checks",
            "restrictions.view_checks",
            30,
            group="placements",
        )
    )
    extensions.location_banner.register(
        Panel("restrictions.banner", "restrictions/panels/location_banner.html", banner, 0)
    )
    extensions.location_page.register(
        Panel(
            "restrictions.location",
            "restrictions/panels/location_restrictions.html",
            location_panel,
            8,
        )
    )
    extensions.start_page.register(
        Panel(
            "restrictions.placements",
            "restrictions/panels/start_placements.html",
            placement_panel,
            1,
        )
    )
    extensions.start_page.register(
        Panel("restrictions.waiting", "restrictions/panels/start_waiting.html", waiting_panel, 25)
    )
    extensions.location_columns.register(
        Column(
            "restrictions.status", "Placements", status_cells, "restrictions.view_status", order=10
        )
    )
    extensions.timeline.register(
        TimelineSource("restriction", "Restrictions", restriction_entries, 65)
    )
    audit_object_type("restrictions.restriction", "restriction-detail")
    audit_object_type("restrictions.listissue", "list-issue")

"""The placement status API, for other council systems (case management like Mosaic or
Liquidlogic) and for pages: one location's status, a bulk lookup of up to 1,000, and the
changes feed a system follows by cursor so that it stays current without polling every
location. Built by hand as plain dicts: this is the hot path, and a serializer per field
would cost more than the queries."""

from __future__ import annotations

from django.http import JsonResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField, error_responses
from core.errors import NotFound, ValidationFailed
from providers.models import KEY_QUESTIONS
from restrictions.models import Level
from restrictions.selectors.cached import remembered_status
from restrictions.selectors.feed import FEED_PAGE, feed
from restrictions.selectors.placement import LocationRow, latest_ratings, locations_by_ids
from restrictions.selectors.status import PlacementStatus, Standing, statuses
from restrictions.services.checks import placement_check_log, shown_of

MAX_BULK = 1000
MAX_IDENT = 20


def _date(value):
    return value.isoformat() if value else None


def _standing(s: Standing, *, own: bool) -> dict:
    out = {
        "level": s.level,
        "label": s.label,
        "colour": s.colour,
        "placing": s.placing,
        "since": _date(s.since),
        "reference": s.reference,
        "whole_provider": s.whole_provider,
        "exceptions": s.exceptions,
    }
    if own:
        out["review_on"] = _date(s.review_on)
        out["contact"] = {
            "name": s.contact_name,
            "telephone": s.contact_phone,
            "email": s.contact_email,
        }
    else:
        out["council"] = s.council_name
    return out


def status_body(
    council, location: LocationRow, status: PlacementStatus, rating: dict | None
) -> dict:
    own = status.own
    return {
        "location": {
            "id": location.pk,
            "cqc_location_id": location.cqc_location_id,
            "name": location.name,
            "postcode": location.postcode,
            "provider": {
                "id": location.provider_id,
                "name": location.provider_name,
                "cqc_provider_id": location.provider_cqc_id,
            },
        },
        "council": council.code,
        "level": status.level,
        "label": status.label,
        "colour": status.colour,
        "placing": own.placing if own else status.none.placing,
        "since": _date(own.since) if own else None,
        "review_on": _date(own.review_on) if own else None,
        "reference": own.reference if own else None,
        "whole_provider": own.whole_provider if own else False,
        "exceptions": own.exceptions if own else "",
        "contact": (
            {"name": own.contact_name, "telephone": own.contact_phone, "email": own.contact_email}
            if own
            else None
        ),
        "cqc": {
            "overall": location.overall_rating or None,
            "report_date": _date(location.rating_date),
            "key_questions": {
                f: (rating.get(f) or None) if rating else None for f, _ in KEY_QUESTIONS
            },
        },
        "other_councils": [_standing(s, own=False) for s in status.others],
    }


STANDING_DOC = {
    "level": serializers.ChoiceField(choices=Level.choices),
    "label": serializers.CharField(help_text="The council's own word, e.g. Embargo."),
    "colour": serializers.CharField(help_text="GOV.UK tag colour."),
    "placing": serializers.CharField(help_text="What placement staff do at this level."),
    "since": PlausibleDateField(allow_null=True),
    "reference": serializers.CharField(allow_null=True),
    "whole_provider": serializers.BooleanField(),
    "exceptions": serializers.CharField(),
}
STATUS_DOC = inline_serializer(
    "PlacementStatus",
    {
        "location": inline_serializer(
            "PlacementLocation",
            {
                "id": serializers.IntegerField(),
                "cqc_location_id": serializers.CharField(allow_null=True),
                "name": serializers.CharField(),
                "postcode": serializers.CharField(),
                "provider": inline_serializer(
                    "PlacementProvider",
                    {
                        "id": serializers.IntegerField(),
                        "name": serializers.CharField(),
                        "cqc_provider_id": serializers.CharField(allow_null=True),
                    },
                ),
            },
        ),
        "council": serializers.CharField(),
        **STANDING_DOC,
        "review_on": PlausibleDateField(allow_null=True),
        "contact": inline_serializer(
            "PlacementContact",
            {
                "name": serializers.CharField(),
                "telephone": serializers.CharField(),
                "email": serializers.CharField(),
            },
            allow_null=True,
        ),
        "cqc": inline_serializer(
            "PlacementCqc",
            {
                "overall": serializers.CharField(allow_null=True),
                "report_date": PlausibleDateField(allow_null=True),
                "key_questions": serializers.DictField(
                    child=serializers.CharField(allow_null=True)
                ),
            },
        ),
        "other_councils": inline_serializer(
            "SharedRestriction",
            {**STANDING_DOC, "council": serializers.CharField()},
            many=True,
        ),
    },
)


class PlacementBase(CouncilScopedMixin, APIView):
    permission_classes = [HasCouncilPermission]
    permission_required = "restrictions.view_status"
    renderer_classes = [JSONRenderer]  # for systems: no browsable page to negotiate


class PlacementStatusView(PlacementBase):
    """May we place someone here? One location's placement status in the council's words
    (by CQC location ID, e.g. 1-101641361, or the internal id), with the contact to call
    first, the CQC ratings, and the restrictions other councils share. Every check is
    logged."""

    @extend_schema(responses={200: STATUS_DOC, **error_responses(401, 403, 404)})
    def get(self, request, ident: str):
        council = request.council
        ident = ident[:MAX_IDENT]

        def build():
            found, _ = locations_by_ids([ident], council=request.council)
            location = found.get(ident)
            if location is None:
                return None
            status = statuses(council=council, locations=[(location.pk, location.provider_id)])[
                location.pk
            ]
            rating = latest_ratings([location.pk]).get(location.pk)
            return status_body(council, location, status, rating), shown_of([status])

        answer = remembered_status(council.pk, ident, build)
        if answer is None:
            raise NotFound("No location has this CQC location ID or id.")
        body, shown = answer
        placement_check_log(
            council=council,
            actor=request.user,
            via="api",
            query=ident,
            found=1,
            shown_rows=shown,
            gather=True,
        )
        return JsonResponse(body)  # already plain JSON types: no renderer to negotiate


class LookupRequest(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.CharField(max_length=MAX_IDENT),
        max_length=MAX_BULK,
        allow_empty=False,
        help_text="CQC location IDs or internal ids, at most 1,000.",
    )


class PlacementLookupView(PlacementBase):
    """The statuses of up to 1,000 locations at once (a case-management system refreshing
    its providers), in a fixed number of queries. Ids not found are listed apart."""

    @extend_schema(
        request=LookupRequest,
        responses={
            200: inline_serializer(
                "PlacementLookup",
                {
                    "results": STATUS_DOC.__class__(many=True),
                    "not_found": serializers.ListField(child=serializers.CharField()),
                },
            ),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request):
        ids = request.data.get("ids") if isinstance(request.data, dict) else None
        if (
            not isinstance(ids, list)
            or not ids
            or len(ids) > MAX_BULK
            or not all(isinstance(i, str | int) and len(str(i)) <= MAX_IDENT for i in ids)
        ):
            raise ValidationFailed(
                "Bad lookup.",
                errors={"ids": [f"Give a list of 1 to {MAX_BULK:,} CQC location IDs or ids."]},
            )
        idents = list(dict.fromkeys(str(i).strip() for i in ids))
        found, missing = locations_by_ids(idents, council=request.council)
        locations = {loc.pk: loc for loc in found.values()}
        council = request.council
        found_statuses = statuses(
            council=council, locations=[(loc.pk, loc.provider_id) for loc in locations.values()]
        )
        ratings = latest_ratings(locations)
        placement_check_log(
            council=council,
            actor=request.user,
            via="bulk",
            query=f"{len(idents)} ids",
            found=len(locations),
            shown=list(found_statuses.values()),
            gather=True,
        )
        return Response(
            {
                "results": [
                    status_body(council, loc, found_statuses[loc.pk], ratings.get(loc.pk))
                    for ident in idents
                    if (loc := found.get(ident)) is not None
                ],
                "not_found": missing,
            }
        )


def _cursor(value: str) -> int:
    if value in ("", None):
        return 0
    if not value.isdigit() or len(value) > 18:
        raise ValidationFailed(
            "Bad cursor.", errors={"since": ["Give the cursor of the last change you have."]}
        )
    return int(value)


class PlacementChangesView(PlacementBase):
    """Changes of placement status, oldest first, after the cursor `since` (0 or absent:
    from the beginning). Each entry is a location's status now as one council (this one, or
    one that shares with it) has it; keep the latest per location and council. Follow
    `next` until `more` is false."""

    @extend_schema(
        parameters=[
            OpenApiParameter("since", int, description="The `next` of the last page read."),
            OpenApiParameter("limit", int, description=f"At most {FEED_PAGE}."),
        ],
        responses={
            200: inline_serializer(
                "PlacementChanges",
                {
                    "results": inline_serializer(
                        "PlacementChange",
                        {
                            "cursor": serializers.IntegerField(),
                            "at": serializers.DateTimeField(),
                            "location": serializers.DictField(),
                            "council": serializers.CharField(),
                            "council_name": serializers.CharField(),
                            "level": serializers.CharField(),
                            "label": serializers.CharField(),
                            "since": PlausibleDateField(allow_null=True),
                        },
                        many=True,
                    ),
                    "next": serializers.IntegerField(),
                    "more": serializers.BooleanField(),
                },
            ),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request):
        since = _cursor(request.query_params.get("since", ""))
        limit_text = request.query_params.get("limit", "")
        limit = int(limit_text) if limit_text.isdigit() else FEED_PAGE
        limit = max(1, min(limit, FEED_PAGE))
        rows = feed(council=request.council, since=since, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return Response(
            {
                "results": [
                    {
                        "cursor": e.pk,
                        "at": e.at.isoformat(),
                        "location": {
                            "id": e.location_id,
                            "cqc_location_id": e.location.cqc_location_id,
                            "name": e.location.name,
                        },
                        "council": e.by_council.code,
                        "council_name": str(e.by_council),
                        "level": e.level,
                        "label": e.label,
                        "since": _date(e.since),
                    }
                    for e in rows
                ],
                "next": rows[-1].pk if rows else since,
                "more": more,
            }
        )

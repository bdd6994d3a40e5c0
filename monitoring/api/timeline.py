"""REST endpoint for a location's timeline, from every app's sources."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core import extensions
from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField
from core.errors import ValidationFailed
from providers.selectors import locations_for


def _timeline_kinds() -> list[str]:
    """Every app's timeline sources (registered in the apps' `ready()`, before URLs load)."""
    return [source.name for source in extensions.timeline]


class TimelineEntrySerializer(serializers.Serializer):
    on = PlausibleDateField()
    kind = serializers.ChoiceField(choices=_timeline_kinds())
    title = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField()


class TimelineView(CouncilScopedMixin, APIView):
    """Everything the council holds about one location, newest first; `kind` filters."""

    permission_classes = [HasCouncilPermission]
    permission_required = "monitoring.view_monitoring"

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, many=True, enum=_timeline_kinds())],
        responses=TimelineEntrySerializer(many=True),
    )
    def get(self, request, location_pk: int):
        location = locations_for(request.council).filter(pk=location_pk).first()
        if location is None:
            raise NotFound("No such location.")
        kinds = request.query_params.getlist("kind")[:20]
        bad = [k for k in kinds if k not in _timeline_kinds()]
        if bad:
            raise ValidationFailed("Bad filter.", errors={"kind": [f"Unknown kind: {bad[0][:60]}"]})
        entries = extensions.timeline_entries(
            council=request.council, location=location, kinds=kinds
        )
        return Response(TimelineEntrySerializer(entries, many=True).data)

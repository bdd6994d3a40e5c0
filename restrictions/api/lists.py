"""REST endpoints for the issued lists (every issue, as issued, in JSON and CSV) and the
placement-check log."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CouncilScopedMixin, HasCouncilPermission, error_responses
from restrictions.models import ListIssue, PlacementCheck
from restrictions.selectors import feed as feed_selectors
from restrictions.selectors import lists as selectors
from restrictions.services import list_issue


class ListIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListIssue
        fields = [
            "id",
            "list_key",
            "number",
            "reference",
            "title",
            "issued_on",
            "issued_at",
            "issued_by_label",
        ]


class ListIssueDetailSerializer(ListIssueSerializer):
    class Meta(ListIssueSerializer.Meta):
        fields = [*ListIssueSerializer.Meta.fields, "content", "recipients"]


class IssueRequest(serializers.Serializer):
    list = serializers.CharField(max_length=60, help_text="The list's key in the council's pack.")


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("list", str)],
        responses={200: ListIssueSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        responses={200: ListIssueDetailSerializer, **error_responses(401, 403, 404)}
    ),
)
class ListIssueViewSet(CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Every issue of the council's lists (the Managed Placements Memo; the Providers with
    Restrictions List), newest first, each exactly as issued."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "restrictions.view_lists", "write": "restrictions.issue_list"}
    queryset = ListIssue.objects.none()
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return ListIssueSerializer if self.action == "list" else ListIssueDetailSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.issues(
                council=self.request.council,
                list_key=self.request.query_params.get("list", "")[:60],
            )
        return ListIssue.objects.filter(council=self.request.council)

    @extend_schema(
        request=IssueRequest,
        responses={201: ListIssueDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def create(self, request, *args, **kwargs):
        data = IssueRequest(data=request.data)
        data.is_valid(raise_exception=True)
        issue = list_issue(
            council=request.council, actor=request.user, list_key=data.validated_data["list"]
        )
        return Response(ListIssueDetailSerializer(issue).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The issue as CSV."),
            **error_responses(401, 403, 404),
        }
    )
    @action(detail=True, methods=["get"])
    def csv(self, request, pk=None):
        issue = self.get_object()
        response = HttpResponse(selectors.issue_csv(issue), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{issue.reference}.csv"'
        return response


class PlacementCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlacementCheck
        fields = ["id", "at", "actor_label", "via", "query", "found", "shown"]


@extend_schema_view(
    list=extend_schema(
        responses={200: PlacementCheckSerializer(many=True), **error_responses(401, 403)}
    ),
    retrieve=extend_schema(
        responses={200: PlacementCheckSerializer, **error_responses(401, 403, 404)}
    ),
)
class PlacementCheckViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The log of placement checks: who asked, when, what and what they were shown."""

    permission_classes = [HasCouncilPermission]
    permission_required = "restrictions.view_checks"
    serializer_class = PlacementCheckSerializer
    queryset = PlacementCheck.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return feed_selectors.checks(council=self.request.council)

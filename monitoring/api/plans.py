"""REST endpoints for improvement and Serious Concerns action plans (004 16.2)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField
from core.limits import TEXT_MAX
from core.parsers import BoundedJSONParser
from councils.models import User
from monitoring import selectors
from monitoring.api.common import MONITORING_PERMISSIONS
from monitoring.models import ImprovementPlan, PlanAction, PlanKind, PlanReview, PlanStatus
from monitoring.services import (
    plan_action_add,
    plan_create,
    plan_is_failing,
    plan_review_record,
)
from providers.api import LocationField


class PlanActionSerializer(serializers.ModelSerializer):
    council_monitor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())

    class Meta:
        model = PlanAction
        fields = ["id", "what", "provider_lead", "council_monitor", "due_on", "status", "evidence"]
        read_only_fields = ["id", "status"]


class PlanReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanReview
        fields = ["id", "reviewed_on", "met", "not_met", "results", "notes", "by_label"]


class ImprovementPlanSerializer(serializers.ModelSerializer):
    location = LocationField()
    actions = PlanActionSerializer(many=True, required=False)
    reviews = PlanReviewSerializer(many=True, read_only=True)
    failing = serializers.SerializerMethodField()
    actions_open = serializers.IntegerField(read_only=True, help_text="Actions not yet met.")
    actions_overdue = serializers.IntegerField(
        read_only=True, help_text="Actions not met and past their date."
    )
    next_due_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The earliest date of an open action."
    )
    last_reviewed_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = ImprovementPlan
        fields = [
            "id",
            "location",
            "kind",
            "title",
            "started_on",
            "status",
            "failed_reviews",
            "failing",
            "actions_open",
            "actions_overdue",
            "next_due_on",
            "last_reviewed_on",
            "actions",
            "reviews",
            "created_by_label",
        ]
        read_only_fields = [
            "id",
            "status",
            "failed_reviews",
            "failing",
            "reviews",
            "created_by_label",
        ]

    def get_failing(self, plan) -> bool:
        return plan_is_failing(plan)


class PlanReviewRequest(serializers.Serializer):
    reviewed_on = PlausibleDateField()
    results = serializers.DictField(
        child=serializers.BooleanField(), help_text="Action id → met (true) or not met (false)"
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)

    def validate_results(self, value):
        try:
            return {int(k): v for k, v in value.items()}
        except ValueError as exc:
            raise serializers.ValidationError("Keys are action ids.") from exc


class PlanQuery(serializers.Serializer):
    """The list's filters, strictly: `?overdue=banana` is a 400, not true."""

    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False, default="")
    kind = serializers.ChoiceField(choices=PlanKind.choices, required=False, default="")
    q = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    overdue = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["active", "completed"]),
            OpenApiParameter("kind", str, enum=["improvement", "serious_concerns"]),
            OpenApiParameter("q", str, description="Part of the location's or provider's name."),
            OpenApiParameter("overdue", bool, description="Only plans with an action overdue."),
        ]
    )
)
class ImprovementPlanViewSet(
    CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Improvement plans and Serious Concerns action plans: actions, and reviews recording
    met or not met per action (004 16.2 flags a plan failed at more than 3 reviews)."""

    permission_classes = [HasCouncilPermission]
    permission_required = MONITORING_PERMISSIONS
    serializer_class = ImprovementPlanSerializer
    # JSON only: a form or multipart body cannot carry the list of actions, which would be
    # dropped with a 201 (issue 11, 7): such a body is 415.
    parser_classes = [BoundedJSONParser]
    queryset = ImprovementPlan.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        """The list page's selector and filters (`?status=`, `?kind=`, `?q=`, `?overdue=`),
        each plan with its actions counted."""
        filters = selectors.PlanFilters()
        if self.action == "list":
            query = PlanQuery(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            filters = selectors.PlanFilters(**query.validated_data)
        return (
            selectors.plan_rows(
                council=self.request.council, filters=filters, today=timezone.localdate()
            )
            .select_related("council__active_policy")
            .prefetch_related("actions", "reviews")
        )

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = plan_create(
            council=self.request.council,
            location=d["location"],
            actor=self.request.user,
            title=d["title"],
            started_on=d["started_on"],
            kind=d.get("kind", "improvement"),
            actions=[dict(a) for a in d.get("actions", [])],
        )
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @extend_schema(request=PlanActionSerializer, responses=ImprovementPlanSerializer)
    @action(detail=True, methods=["post"], url_path="actions")
    def add_action(self, request, pk=None):
        plan = self.get_object()
        data = PlanActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan_action_add(plan=plan, actor=request.user, **data.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=plan.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=PlanReviewRequest, responses=ImprovementPlanSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        plan = self.get_object()
        data = PlanReviewRequest(data=request.data)
        data.is_valid(raise_exception=True)
        plan_review_record(plan=plan, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)

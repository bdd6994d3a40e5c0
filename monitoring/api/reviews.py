"""REST endpoints for reviews and visits: planned, recorded (with the rating of a rated type,
001: PAMMS), and the report sent."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField
from councils.models import User
from monitoring import selectors
from monitoring.api.common import MONITORING_PERMISSIONS
from monitoring.models import (
    Review,
)
from monitoring.services import (
    review_plan,
    review_record,
    review_report_sent,
)
from monitoring.services.reviews import RATED
from providers.api import LocationField
from providers.models import RatingValue

# Planning a review sets these; everything else is recorded through its actions.
REVIEW_PLANNING_FIELDS = ("location", "kind", "planned_for", "officers", "announced")


class ReviewSerializer(serializers.ModelSerializer):
    location = LocationField()
    rating = serializers.ChoiceField(
        choices=RatingValue.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until a rated review is recorded.",
    )
    officers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), many=True, required=False
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "location",
            "kind",
            "status",
            "planned_for",
            "visited_on",
            "officers",
            "announced",
            "findings",
            "evidence_seen",
            "people_spoken_to",
            "rating",
            "report_due_on",
            "report_sent_on",
            "self_certification_due_on",
            "next_due_on",
            "next_due_reason",
            "created_by_label",
            "created_at",
        ]
        read_only_fields = [f for f in fields if f not in REVIEW_PLANNING_FIELDS]
        extra_kwargs = {"planned_for": {"required": True}}


class ReviewRecordRequest(serializers.Serializer):
    visited_on = PlausibleDateField()
    announced = serializers.BooleanField(default=True)
    findings = serializers.CharField(max_length=20_000)
    evidence_seen = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000
    )
    people_spoken_to = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000
    )
    rating = serializers.ChoiceField(
        choices=[(r, r) for r in RATED],
        required=False,
        allow_blank=True,
        default="",
        help_text="The rating, for a rated review type (001: the PAMMS assessment); required "
        "for those, refused for the others.",
    )
    officers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), many=True, required=False
    )


class ReportSentRequest(serializers.Serializer):
    sent_on = PlausibleDateField()


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("location", int)]))
class ReviewViewSet(CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reviews and visits: plan one (POST), record what it found, and when its report went."""

    permission_classes = [HasCouncilPermission]
    permission_required = MONITORING_PERMISSIONS
    serializer_class = ReviewSerializer
    queryset = Review.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        location = self.request.query_params.get("location", "")
        return selectors.review_list(
            council=self.request.council,
            location_id=int(location) if location.isdigit() and len(location) < 12 else None,
        )

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = review_plan(
            council=self.request.council,
            location=d["location"],
            actor=self.request.user,
            kind=d["kind"],
            planned_for=d["planned_for"],
            officers=d.get("officers", []),
            announced=d.get("announced", True),
        )

    @extend_schema(request=ReviewRecordRequest, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        review = self.get_object()
        data = ReviewRecordRequest(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_record(review=review, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(review).data)

    @extend_schema(request=ReportSentRequest, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], url_path="report-sent")
    def report_sent(self, request, pk=None):
        review = self.get_object()
        data = ReportSentRequest(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_report_sent(review=review, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(review).data)

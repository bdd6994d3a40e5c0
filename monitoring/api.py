"""REST endpoints for commissioning and the intelligence log."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core import extensions
from core.api import CouncilScopedMixin, HasCouncilPermission
from core.errors import ValidationFailed
from councils.models import User
from monitoring import selectors
from monitoring.models import (
    Commissioning,
    ContractType,
    ImprovementPlan,
    Intelligence,
    IntelligenceCorrection,
    Outcome,
    PlanAction,
    PlanReview,
    Rag,
    Review,
    RiskRating,
    Source,
)
from monitoring.services import (
    COMMISSIONING_FIELDS,
    commissioning_save,
    intelligence_correct,
    intelligence_record,
    intelligence_set_outcome,
    plan_action_add,
    plan_create,
    plan_is_failing,
    plan_review_record,
    review_plan,
    review_record,
    review_report_sent,
    risk_override_set,
)
from monitoring.services.reviews import RATED
from providers.models import Location, Provider

# The risk matrix, reviews and plans: read by quality staff and auditors, changed by quality
# staff (councils/permissions.py).
MONITORING_PERMISSIONS = {
    "read": "monitoring.view_monitoring",
    "write": "monitoring.change_monitoring",
}


class MarketPositionSerializer(serializers.Serializer):
    high_impact = serializers.BooleanField()
    high_impact_reasons = serializers.ListField(child=serializers.CharField())
    market_risk = serializers.BooleanField()
    market_risk_reasons = serializers.ListField(child=serializers.CharField())


class CommissioningSerializer(serializers.ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    contract_type = serializers.ChoiceField(choices=ContractType.choices)
    contact_officer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    market_position = serializers.SerializerMethodField()

    class Meta:
        model = Commissioning
        fields = ["id", "location", *COMMISSIONING_FIELDS, "market_position", "updated_at"]
        read_only_fields = ["id", "market_position", "updated_at"]

    def get_market_position(self, obj) -> dict:
        position = selectors.market_position(
            council=obj.council,
            commissioning=obj,
            totals=self.context.get("totals"),
            providers=self.context.get("providers"),
        )
        return MarketPositionSerializer(position).data


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("location", int)]))
class CommissioningViewSet(
    CouncilScopedMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """What the caller's council commissions at each location, with high impact (001 3.1)
    and market risk (003 1.8) and their reasons. POST for a location already commissioned
    changes it."""

    permission_classes = [HasCouncilPermission]
    permission_required = {
        "read": "monitoring.view_commissioning",
        "write": "monitoring.change_commissioning",
    }
    serializer_class = CommissioningSerializer
    queryset = Commissioning.objects.none()  # for the schema; requests use get_queryset
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = (
            Commissioning.objects.filter(council=self.request.council)
            .select_related("council__active_policy", "location")
            .order_by("location_id")
        )
        location = self.request.query_params.get("location")
        if location and location.isdigit():
            qs = qs.filter(location_id=int(location))
        return qs

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self.request, "council", None) is not None:
            context.update(self._totals())
        return context

    def _totals(self) -> dict:
        """The council's and every provider's totals, once per request (two queries)."""
        council = self.request.council
        return {
            "totals": selectors.council_totals(council=council),
            "providers": selectors.provider_totals(council=council),
        }

    def _save(self, serializer, location):
        data = {k: v for k, v in serializer.validated_data.items() if k != "location"}
        current = selectors.commissioning_of(council=self.request.council, location_id=location.pk)
        if current is not None:
            base = {f: getattr(current, f) for f in COMMISSIONING_FIELDS}
            data = {**base, **data}
        return commissioning_save(
            council=self.request.council, location=location, actor=self.request.user, **data
        )

    def perform_create(self, serializer):
        serializer.instance = self._save(serializer, serializer.validated_data["location"])
        serializer.context.update(self._totals())  # the answer reflects the saved figures

    def perform_update(self, serializer):
        location = serializer.validated_data.get("location")
        if location is not None and location != serializer.instance.location:
            raise ValidationFailed(
                "Bad input.", errors={"location": ["A commissioning keeps its location."]}
            )
        serializer.instance = self._save(serializer, serializer.instance.location)
        serializer.context.update(self._totals())


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntelligenceCorrection
        fields = ["field", "old_value", "new_value", "reason", "by_label", "at"]


class IntelligenceSerializer(serializers.ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), required=False)
    source = serializers.ChoiceField(choices=Source.choices)
    allocated_to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    themes = serializers.ListField(child=serializers.CharField(), required=False)
    counts_toward_risk = serializers.BooleanField(read_only=True)
    corrections = CorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = Intelligence
        fields = [
            "id",
            "reference",
            "location",
            "provider",
            "source",
            "received_on",
            "themes",
            "severity",
            "narrative",
            "allocated_to",
            "outcome",
            "outcome_on",
            "counts_toward_risk",
            "external_ref",
            "created_by_label",
            "created_at",
            "corrections",
        ]
        read_only_fields = [
            "id",
            "reference",
            "outcome",
            "outcome_on",
            "counts_toward_risk",
            "created_by_label",
            "created_at",
            "corrections",
        ]


class CorrectionRequest(serializers.Serializer):
    """Only the fields named here can be corrected; anything else is refused by name."""

    reason = serializers.CharField()
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    received_on = serializers.DateField(required=False)
    themes = serializers.ListField(child=serializers.CharField(), required=False)
    severity = serializers.CharField(required=False)
    narrative = serializers.CharField(required=False)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), required=False)
    allocated_to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    whole_provider = serializers.BooleanField(
        required=False, help_text="true: the item concerns all the provider's services"
    )

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({k: ["cannot be corrected"] for k in unknown})
        if attrs.pop("whole_provider", False):
            attrs["location"] = None
        return attrs


class OutcomeRequest(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField()
    outcome_on = serializers.DateField(required=False)


INTELLIGENCE_FILTERS = [
    OpenApiParameter("source", str, enum=Source.values),
    OpenApiParameter("outcome", str, enum=Outcome.values),
    OpenApiParameter("location", int),
    OpenApiParameter("provider", int),
    OpenApiParameter("allocated_to", int),
]


@extend_schema_view(list=extend_schema(parameters=INTELLIGENCE_FILTERS))
class IntelligenceViewSet(
    CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The intelligence log. Other council systems post items (a safeguarding system raising
    an alert); posting the same `external_ref` again returns the same item. Items are never
    deleted or edited: they are corrected, with a reason."""

    permission_classes = [HasCouncilPermission]
    permission_required = {
        "read": "monitoring.view_intelligence",
        "write": "monitoring.record_intelligence",
        # Judging an item (its outcome, a correction) is for people, not posting systems.
        "correct": "monitoring.correct_intelligence",
        "outcome": "monitoring.correct_intelligence",
    }
    serializer_class = IntelligenceSerializer
    queryset = Intelligence.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        p = self.request.query_params

        def number(key):
            value = p.get(key, "")
            return int(value) if value.isdigit() else None

        filters = selectors.IntelligenceFilters(
            source=p.get("source", ""),
            outcome=p.get("outcome", ""),
            location=number("location"),
            provider=number("provider"),
            allocated_to=number("allocated_to"),
        )
        return selectors.intelligence_list(
            council=self.request.council, filters=filters
        ).prefetch_related("corrections")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        item = intelligence_record(
            council=request.council,
            actor=request.user,
            source=d["source"],
            received_on=d["received_on"],
            severity=d["severity"],
            narrative=d["narrative"],
            location=d.get("location"),
            provider=d.get("provider"),
            themes=d.get("themes"),
            allocated_to=d.get("allocated_to"),
            external_ref=d.get("external_ref", ""),
        )
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CorrectionRequest, responses=IntelligenceSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        item = self.get_object()
        data = CorrectionRequest(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        reason = changes.pop("reason")
        item = intelligence_correct(item=item, actor=request.user, reason=reason, **changes)
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(request=OutcomeRequest, responses=IntelligenceSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        item = self.get_object()
        data = OutcomeRequest(data=request.data)
        data.is_valid(raise_exception=True)
        item = intelligence_set_outcome(item=item, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


class RiskOverrideSerializer(serializers.Serializer):
    rag = serializers.ChoiceField(choices=Rag.choices)
    reason = serializers.CharField()
    expires_on = serializers.DateField()


class RiskRatingSerializer(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.name", read_only=True)
    provider_name = serializers.CharField(source="location.provider.name", read_only=True)
    cqc_overall = serializers.CharField(source="location.overall_rating", read_only=True)
    override_until = serializers.DateField(source="override.expires_on", default=None)
    override_reason = serializers.CharField(source="override.reason", default=None)

    class Meta:
        model = RiskRating
        fields = [
            "id",
            "location",
            "location_name",
            "provider_name",
            "cqc_overall",
            "score",
            "rag",
            "computed_rag",
            "factors",
            "override_until",
            "override_reason",
            "computed_at",
        ]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("rag", str, enum=Rag.values),
            OpenApiParameter("q", str),
            OpenApiParameter("sort", str, enum=list(selectors.RISK_SORTS)),
        ]
    )
)
class RiskViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The council's risk matrix: each location's score, RAG and the factors behind it."""

    permission_classes = [HasCouncilPermission]
    permission_required = MONITORING_PERMISSIONS
    serializer_class = RiskRatingSerializer
    queryset = RiskRating.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        p = self.request.query_params
        rag = p.get("rag", "")
        if rag and rag not in Rag.values:
            raise ValidationFailed("Bad filter.", errors={"rag": ["Use red, amber or green."]})
        return selectors.risk_matrix(
            council=self.request.council,
            filters=selectors.RiskFilters(rag=rag, q=p.get("q", ""), sort=p.get("sort", "score")),
        )

    @extend_schema(request=RiskOverrideSerializer, responses=RiskRatingSerializer)
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        rating = self.get_object()
        data = RiskOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk_override_set(
            council=request.council,
            location=rating.location,
            actor=request.user,
            **data.validated_data,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=rating.pk)).data)


# Planning a review sets these; everything else is recorded through its actions.
REVIEW_PLANNING_FIELDS = ("location", "kind", "planned_for", "officers", "announced")


class ReviewSerializer(serializers.ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
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
    visited_on = serializers.DateField()
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
    sent_on = serializers.DateField()


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("location", int)]))
class ReviewViewSet(CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reviews and visits: plan one (POST), record what it found, and when its report went."""

    permission_classes = [HasCouncilPermission]
    permission_required = MONITORING_PERMISSIONS
    serializer_class = ReviewSerializer
    queryset = Review.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        qs = Review.objects.filter(council=self.request.council).prefetch_related("officers")
        location = self.request.query_params.get("location", "")
        if location.isdigit():
            qs = qs.filter(location_id=int(location))
        return qs.order_by("-id")

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
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    actions = PlanActionSerializer(many=True, required=False)
    reviews = PlanReviewSerializer(many=True, read_only=True)
    failing = serializers.SerializerMethodField()

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
    reviewed_on = serializers.DateField()
    results = serializers.DictField(
        child=serializers.BooleanField(), help_text="Action id → met (true) or not met (false)"
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_results(self, value):
        try:
            return {int(k): v for k, v in value.items()}
        except ValueError as exc:
            raise serializers.ValidationError("Keys are action ids.") from exc


class ImprovementPlanViewSet(
    CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Improvement plans and Serious Concerns action plans: actions, and reviews recording
    met or not met per action (004 16.2 flags a plan failed at more than 3 reviews)."""

    permission_classes = [HasCouncilPermission]
    permission_required = MONITORING_PERMISSIONS
    serializer_class = ImprovementPlanSerializer
    queryset = ImprovementPlan.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return (
            ImprovementPlan.objects.filter(council=self.request.council)
            .select_related("council__active_policy")
            .prefetch_related("actions", "reviews")
            .order_by("-id")
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


def _timeline_kinds() -> list[str]:
    """Every app's timeline sources (registered in the apps' `ready()`, before URLs load)."""
    return [source.name for source in extensions.timeline]


class TimelineEntrySerializer(serializers.Serializer):
    on = serializers.DateField()
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
        location = Location.objects.filter(pk=location_pk).first()
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

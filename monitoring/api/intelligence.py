"""REST endpoints for the intelligence log: items posted by people and other systems, their
corrections and outcomes (never deleted)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField, query_id
from core.limits import TEXT_MAX
from councils.models import User
from monitoring import selectors
from monitoring.models import (
    Intelligence,
    IntelligenceCorrection,
    Outcome,
    Source,
)
from monitoring.services import (
    intelligence_correct,
    intelligence_record,
    intelligence_set_outcome,
)
from providers.api import LocationField, ProviderField


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntelligenceCorrection
        fields = ["field", "old_value", "new_value", "reason", "by_label", "at"]


class IntelligenceSerializer(serializers.ModelSerializer):
    location = LocationField(required=False, allow_null=True)
    provider = ProviderField(required=False)
    source = serializers.ChoiceField(choices=Source.choices)
    allocated_to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    themes = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=20
    )
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

    reason = serializers.CharField(max_length=TEXT_MAX)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    received_on = PlausibleDateField(required=False)
    themes = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=20
    )
    severity = serializers.CharField(required=False, max_length=30)
    narrative = serializers.CharField(required=False, max_length=TEXT_MAX)
    location = LocationField(required=False)
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
    reason = serializers.CharField(max_length=TEXT_MAX)
    outcome_on = PlausibleDateField(required=False)


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
            return query_id(self.request, key)

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

"""REST endpoints for the risk matrix (004 11.1) and an officer's override (003 1.9)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField
from core.errors import ValidationFailed
from core.limits import TEXT_MAX
from monitoring import selectors
from monitoring.api.common import MONITORING_PERMISSIONS
from monitoring.models import (
    Rag,
    RiskRating,
)
from monitoring.services import (
    risk_override_set,
)


class RiskOverrideSerializer(serializers.Serializer):
    rag = serializers.ChoiceField(choices=Rag.choices)
    reason = serializers.CharField(max_length=TEXT_MAX)
    expires_on = PlausibleDateField()


class RiskRatingSerializer(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.name", read_only=True)
    provider_name = serializers.CharField(source="location.provider.name", read_only=True)
    cqc_overall = serializers.CharField(source="location.overall_rating", read_only=True)
    override_until = PlausibleDateField(source="override.expires_on", default=None, allow_null=True)
    override_reason = serializers.CharField(source="override.reason", default=None, allow_null=True)

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

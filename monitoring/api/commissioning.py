"""REST endpoints for commissioning: what the council buys at each location, with high impact
(001 3.1) and market risk (003 1.8)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from core.api import CouncilScopedMixin, HasCouncilPermission
from core.errors import ValidationFailed
from councils.models import User
from monitoring import selectors
from monitoring.models import (
    Commissioning,
    ContractType,
)
from monitoring.services import (
    COMMISSIONING_FIELDS,
    commissioning_save,
)
from providers.api import LocationField


class MarketPositionSerializer(serializers.Serializer):
    high_impact = serializers.BooleanField()
    high_impact_reasons = serializers.ListField(child=serializers.CharField())
    market_risk = serializers.BooleanField()
    market_risk_reasons = serializers.ListField(child=serializers.CharField())


class CommissioningSerializer(serializers.ModelSerializer):
    location = LocationField()
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
            council=self.context.get("council") or obj.council,
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
        location = self.request.query_params.get("location", "")
        return selectors.commissioning_list(
            council=self.request.council,
            location_id=int(location) if location.isdigit() and len(location) < 12 else None,
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self.request, "council", None) is not None:
            context.update(self._totals(), council=self.request.council)
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
        if not serializer.validated_data:
            raise ValidationFailed(
                "Nothing to change.", errors={"non_field_errors": ["Give at least one field."]}
            )
        location = serializer.validated_data.get("location")
        if location is not None and location != serializer.instance.location:
            raise ValidationFailed(
                "Bad input.", errors={"location": ["A commissioning keeps its location."]}
            )
        serializer.instance = self._save(serializer, serializer.instance.location)
        serializer.context.update(self._totals())

"""REST endpoints for the caller's council: who it is, its policy versions, delegations."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CouncilScopedMixin, HasCouncilPermission
from councils import selectors
from councils.models import Area, Council, Delegation, PolicyVersion


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name"]


class CouncilSerializer(serializers.ModelSerializer):
    areas = serializers.SerializerMethodField()
    active_policy_version = serializers.IntegerField(source="active_policy.number", default=None)

    class Meta:
        model = Council
        fields = ["code", "name", "short_name", "areas", "active_policy_version"]

    def get_areas(self, council) -> list[dict]:
        return AreaSerializer(Area.objects.filter(council=council, is_active=True), many=True).data


class CurrentCouncilView(CouncilScopedMixin, APIView):
    """The council the caller acts for (a token's council, or the session's current one)."""

    permission_classes = [HasCouncilPermission]
    permission_required = "councils.view_council"

    @extend_schema(responses=CouncilSerializer)
    def get(self, request):
        return Response(CouncilSerializer(request.council).data)


class PolicyVersionSerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField()

    class Meta:
        model = PolicyVersion
        fields = ["id", "number", "active", "source_name", "sha256", "loaded_at", "content"]

    def get_active(self, version) -> bool:
        return version.council.active_policy_id == version.pk


class PolicyVersionViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasCouncilPermission]
    permission_required = "councils.view_policy"
    serializer_class = PolicyVersionSerializer
    queryset = PolicyVersion.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.policy_versions(council=self.request.council).select_related("council")


class DelegationSerializer(serializers.ModelSerializer):
    decision_maker = serializers.CharField(source="delegator.title")
    delegate = serializers.CharField(source="delegate.get_full_name")

    class Meta:
        model = Delegation
        fields = [
            "id",
            "decision_maker",
            "delegate",
            "starts_on",
            "ends_on",
            "reason",
            "revoked_at",
        ]


class DelegationViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasCouncilPermission]
    permission_required = "councils.view_people"
    serializer_class = DelegationSerializer
    queryset = Delegation.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.delegations(council=self.request.council)

"""REST endpoints for the caller's council: who it is, its policy versions, delegations."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CouncilScopedMixin, HasCouncilPermission, error_responses
from core.models import Timer
from core.timers import describe_subjects, timers_overdue, timers_waiting
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


class TimerSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state_label", read_only=True)
    owner_name = serializers.SerializerMethodField()
    about = serializers.SerializerMethodField()
    about_url = serializers.SerializerMethodField()

    class Meta:
        model = Timer
        fields = [
            "id", "kind", "label", "seed", "subject_type", "subject_id", "about", "about_url",
            "owner", "owner_name", "starts_on", "warn_on", "due_on", "due_at", "status", "stage",
            "overdue", "state", "fired_at", "ended_at", "outcome",
        ]  # fmt: skip

    def get_owner_name(self, timer) -> str:
        return str(timer.owner) if timer.owner_id else ""

    def _about(self, timer) -> tuple[str, str]:
        return self.context.get("names", {}).get((timer.subject_type, timer.subject_id), ("", ""))

    def get_about(self, timer) -> str:
        return self._about(timer)[0]

    def get_about_url(self, timer) -> str:
        return self._about(timer)[1]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "which",
                str,
                enum=["mine", "overdue"],
                description="mine (default): your time limits due soon, due today or overdue; "
                "overdue: every deadline passed in the council (managers, admins, auditors).",
            )
        ],
        responses={200: TimerSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(responses={200: TimerSerializer, **error_responses(401, 403, 404)}),
)
class TimerViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Time limits: a person's own due and overdue items, and the council's overdue list."""

    permission_classes = [HasCouncilPermission]
    permission_required = "councils.view_timers"
    serializer_class = TimerSerializer
    queryset = Timer.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        council = self.request.council
        if self.action == "retrieve":
            return Timer.objects.filter(council=council).select_related("owner")
        if self.request.query_params.get("which") == "overdue":
            if not self.request.user.has_perm("councils.view_overdue", council):
                raise exceptions.PermissionDenied("Only managers see the council's overdue list.")
            return timers_overdue(council=council)
        return timers_waiting(council=council, owner=self.request.user)

    def get_serializer(self, *args, **kwargs):
        rows = args[0] if args else None
        if rows is not None:
            many = rows if isinstance(rows, list | tuple) else [rows]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["names"] = describe_subjects(
                council=self.request.council, timers=many
            )
        return super().get_serializer(*args, **kwargs)

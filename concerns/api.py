"""REST endpoints for escalation: cases, the moves open to the caller, making a move (409
when it is not open from the case's stage, 403 when the caller may not make it),
recommendations and decisions, alerts from the automatic triggers, and the safeguarding
track."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from concerns import selectors
from concerns.models import (
    Alert,
    AlertStatus,
    Case,
    CaseMove,
    LetterRequest,
    SafeguardingMeeting,
    SafeguardingTrack,
    Stage,
)
from concerns.pack import Ladder
from concerns.services import (
    alert_handle,
    case_assign,
    case_move,
    case_open,
    exception_propose,
    safeguarding_close,
    safeguarding_meeting_record,
    safeguarding_open,
)
from core.api import CouncilScopedMixin, HasCouncilPermission, error_responses
from core.limits import TEXT_MAX
from core.models import Timer
from core.timers import timers_of
from councils.models import Role, User
from decisions.api import EvidenceSerializer, ReasonSerializer, RecommendationSerializer
from decisions.models import Recommendation
from decisions.selectors import with_subjects
from providers.api import LocationField, ProviderField

CASE_PERMISSIONS = {
    "read": "concerns.view_case",
    "create": "concerns.open_case",
    "write": "concerns.make_move",
}


class CaseMoveSerializer(serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)
    recommendation = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    policy_version = serializers.IntegerField(source="policy_version.number", read_only=True)

    class Meta:
        model = CaseMove
        fields = [
            "id",
            "move_key",
            "label",
            "from_stage",
            "to_stage",
            "at",
            "actor_label",
            "reason",
            "evidence",
            "details",
            "recommendation",
            "policy_version",
        ]


class TimerSerializer(serializers.ModelSerializer):
    """A time limit on the case (a `core.Timer`): what it is for, from when, by when, and
    whether it runs, has passed, was met or ended with its stage."""

    time_limit = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField()

    class Meta:
        model = Timer
        fields = [
            "id",
            "kind",
            "time_limit",
            "label",
            "seed",
            "stage",
            "starts_on",
            "due_on",
            "status",
        ]

    def get_time_limit(self, obj) -> str:
        return obj.payload.get("time_limit", "")

    def get_stage(self, obj) -> str:
        return obj.payload.get("stage", "")


class LetterRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterRequest
        fields = ["id", "letter", "label", "seed", "status", "requested_at"]


class CaseSerializer(serializers.ModelSerializer):
    location = LocationField(required=False, allow_null=True)
    provider = ProviderField(required=False)
    lead_officer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    stage = serializers.CharField(read_only=True)
    stage_label = serializers.SerializerMethodField()
    subject = serializers.CharField(source="subject_label", read_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        council = getattr(request, "council", None)
        if council is not None:
            # The lead officer is one of this council's officers or managers, as on the page.
            self.fields["lead_officer"].queryset = User.objects.filter(
                memberships__council=council,
                memberships__is_active=True,
                memberships__role__in=[Role.OFFICER, Role.MANAGER],
            ).distinct()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "location",
            "provider",
            "subject",
            "stage",
            "stage_label",
            "stage_since",
            "lead_officer",
            "summary",
            "opened_at",
            "opened_by_label",
            "closed_at",
        ]
        read_only_fields = [
            "id",
            "reference",
            "stage_since",
            "opened_at",
            "opened_by_label",
            "closed_at",
        ]

    def get_stage_label(self, obj) -> str:
        ladder = self.context.get("ladder") or Ladder.of(obj.council)
        return ladder.stage_label(obj.stage)


class CaseDetailSerializer(CaseSerializer):
    moves = CaseMoveSerializer(many=True, read_only=True)
    timers = serializers.SerializerMethodField()
    letters = LetterRequestSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "moves", "timers", "letters"]

    def get_timers(self, obj) -> list[dict]:
        return TimerSerializer(timers_of(council=obj.council, subject=obj), many=True).data


class MoveOptionSerializer(serializers.Serializer):
    key = serializers.CharField(source="move.key")
    label = serializers.CharField(source="move.label")
    to = serializers.CharField(source="move.to")
    open = serializers.BooleanField()
    blockers = serializers.ListField(child=serializers.CharField())
    needs_decision = serializers.CharField()
    evidence = serializers.ListField(child=serializers.CharField(), source="move.evidence")
    seed = serializers.CharField(source="move.seed")


class MoveRequestSerializer(serializers.Serializer):
    move = serializers.CharField(max_length=60)
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)
    evidence = EvidenceSerializer(many=True, required=False)
    details = serializers.DictField(required=False)
    urgent = serializers.BooleanField(required=False, default=False)
    expected_stage = serializers.ChoiceField(choices=Stage.choices, required=False)


class ExceptionRequestSerializer(serializers.Serializer):
    exception = serializers.CharField(max_length=60)
    location = LocationField()
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)
    details = serializers.DictField(required=False)
    evidence = EvidenceSerializer(many=True, required=False)
    urgent = serializers.BooleanField(required=False, default=False)


class AssignSerializer(serializers.Serializer):
    lead_officer = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class CaseViewSet(CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A council's escalation cases. POST opens one (at the informal stage) for a location or
    a whole provider. `?stage=`, `?q=` and `?all=1` (closed ones too) filter the list."""

    permission_classes = [HasCouncilPermission]
    permission_required = CASE_PERMISSIONS
    queryset = Case.objects.none()  # for the schema; requests use get_queryset

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self.request, "council", None) is not None:
            context["ladder"] = Ladder.of(self.request.council)
        return context

    def get_queryset(self):
        params = self.request.query_params
        filters = selectors.CaseFilters(
            stage=params.get("stage", ""),
            q=params.get("q", ""),
            open_only=params.get("all") != "1",
        )
        if self.action in ("retrieve", "moves", "safeguarding", "assign"):
            return selectors.cases_with_record(
                council=self.request.council, moves=self.action == "retrieve"
            )
        return selectors.case_list(council=self.request.council, filters=filters)

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = case_open(
            council=self.request.council,
            actor=self.request.user,
            summary=d.get("summary", ""),
            location=d.get("location"),
            provider=d.get("provider") if d.get("location") is None else None,
            lead_officer=d.get("lead_officer"),
        )

    @extend_schema(
        methods=["GET"],
        responses=MoveOptionSerializer(many=True),
        description="The moves from the case's stage, each open or with why not.",
    )
    @extend_schema(
        methods=["POST"],
        request=MoveRequestSerializer,
        responses={
            200: CaseMoveSerializer,
            202: RecommendationSerializer,
        },
        description=(
            "Make a move. 200 with the move made; 202 with the recommendation when the "
            "move needs a decision; 409 when it is not open from the case's stage; 403 "
            "when the caller may not make it."
        ),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def moves(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            options = selectors.move_options(case=case, user=request.user)
            return Response(MoveOptionSerializer(options, many=True).data)
        data = MoveRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = case_move(case=case, actor=request.user, **data.validated_data)
        if isinstance(result, Recommendation):
            [result] = with_subjects([result])
            return Response(RecommendationSerializer(result).data, status=status.HTTP_202_ACCEPTED)
        return Response(CaseMoveSerializer(result).data)

    @extend_schema(request=AssignSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the case its lead officer (a manager), or take an unassigned one (an
        officer): its open time limits go to them."""
        case = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_assign(
            case=case, actor=request.user, lead_officer=data.validated_data["lead_officer"]
        )
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(request=ReasonSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def safeguarding(self, request, pk=None):
        """Open the safeguarding track (Serious Concerns / Whole Service Concern) beside the
        case's stage."""
        case = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        track = safeguarding_open(
            case=case, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(SafeguardingTrackSerializer(track).data, status=status.HTTP_201_CREATED)


class ExceptionRequestView(CouncilScopedMixin, APIView):
    """Ask for an exception outside the ladder (000 5 family choice, 000 6 critical
    provider, 000 8 resuming placements with a Requires Improvement provider); it goes to
    the decision maker the pack names."""

    permission_classes = [HasCouncilPermission]
    permission_required = "concerns.request_exception"

    @extend_schema(
        request=ExceptionRequestSerializer,
        responses={
            201: RecommendationSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request):
        data = ExceptionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        rec = exception_propose(
            council=request.council,
            actor=request.user,
            exception=d["exception"],
            location=d["location"],
            reason=d["reason"],
            details=d.get("details"),
            evidence=d.get("evidence"),
            urgent=d.get("urgent", False),
        )
        [rec] = with_subjects([rec])
        return Response(RecommendationSerializer(rec).data, status=status.HTTP_201_CREATED)


class AlertSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "trigger",
            "rule",
            "cause",
            "label",
            "detail",
            "suggestion",
            "seed",
            "provider",
            "location",
            "case",
            "opened_case",
            "status",
            "created_at",
            "handled_at",
            "handled_by_label",
            "handled_note",
        ]


class HandleAlertSerializer(serializers.Serializer):
    dismiss = serializers.BooleanField(default=False)
    note = serializers.CharField(allow_blank=True, max_length=TEXT_MAX)


class AlertViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """What the automatic triggers raised, once per cause. `?status=new` (the default) is
    the officers' queue; `?status=` with no value lists all."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "concerns.view_case", "write": "concerns.handle_alert"}
    serializer_class = AlertSerializer
    queryset = Alert.objects.none()

    def get_queryset(self):
        wanted = self.request.query_params.get("status", AlertStatus.NEW)
        if self.action != "list":
            wanted = ""
        return selectors.alerts(council=self.request.council, status=wanted)

    @extend_schema(request=HandleAlertSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        alert = self.get_object()
        data = HandleAlertSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = alert_handle(alert=alert, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(alert).data)


class SafeguardingMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = SafeguardingMeeting
        fields = ["id", "held_on", "attendees", "notes", "next_meeting_on", "recorded_by_label"]
        read_only_fields = ["id", "recorded_by_label"]


class SafeguardingTrackSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    meetings = SafeguardingMeetingSerializer(many=True, read_only=True)

    class Meta:
        model = SafeguardingTrack
        fields = [
            "id",
            "case",
            "label",
            "reason",
            "opened_at",
            "opened_by_label",
            "plan",
            "closed_at",
            "closed_reason",
            "meetings",
        ]


class SafeguardingTrackViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Safeguarding tracks beside cases: record their meetings and close them."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "concerns.view_case", "write": "concerns.make_move"}
    serializer_class = SafeguardingTrackSerializer
    queryset = SafeguardingTrack.objects.none()

    def get_queryset(self):
        return selectors.safeguarding_tracks(council=self.request.council)

    @extend_schema(
        request=SafeguardingMeetingSerializer, responses={201: SafeguardingMeetingSerializer}
    )
    @action(detail=True, methods=["post"])
    def meetings(self, request, pk=None):
        track = self.get_object()
        data = SafeguardingMeetingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = safeguarding_meeting_record(
            track=track, actor=request.user, **data.validated_data
        )
        return Response(SafeguardingMeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=SafeguardingTrackSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        track = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        safeguarding_close(track=track, actor=request.user, reason=data.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=track.pk)).data)

"""REST endpoints for recommendations and their decisions, whatever their subject:
`?awaiting=me` is the caller's inbox; POST `act` records a check or the decision in writing,
`withdraw` withdraws one's own. Decisions are taken by people: tokens only read."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core import files
from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField, error_responses
from decisions import selectors
from decisions.evidence import evidence_file_upload
from decisions.models import DecisionStep, EvidenceFile, Recommendation, StepOutcome
from decisions.questions import FILE_TYPES_WORDS, file_problem
from decisions.services import recommendation_act, recommendation_withdraw


class EvidenceSerializer(serializers.Serializer):
    kind = serializers.CharField(
        max_length=60, help_text="A key from the council's evidence kinds."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    url = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    file = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of a file uploaded to /api/v1/evidence-files/ (issue 13).",
    )
    # Always in a response, null when the item has no file (never missing: the schema says so).
    file_name = serializers.CharField(
        read_only=True, allow_null=True, default=None, help_text="The file's name, if one."
    )
    file_size = serializers.IntegerField(
        read_only=True, allow_null=True, default=None, help_text="Its size in bytes, if a file."
    )


class DecisionStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = DecisionStep
        fields = [
            "position",
            "label",
            "actor_label",
            "acting_as",
            "at",
            "taken_on",
            "outcome",
            "reasons",
            "stipulation",
            "urgent",
            "virtual",
            "meeting_on",
            "meeting_ref",
        ]


class SubjectSerializer(serializers.Serializer):
    type = serializers.CharField(source="subject_type")
    id = serializers.CharField(source="subject_id")
    reference = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()

    def get_reference(self, obj) -> str:
        view = getattr(obj, "subject_view", None)
        return view.reference if view else ""

    def get_label(self, obj) -> str:
        view = getattr(obj, "subject_view", None)
        return view.label if view else ""


class RecommendationSerializer(serializers.ModelSerializer):
    subject = SubjectSerializer(source="*", read_only=True)
    steps = DecisionStepSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    awaiting = serializers.CharField(source="awaiting_label", read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "reference",
            "kind",
            "key",
            "label",
            "subject",
            "subject_state",
            "proposal",
            "provider",
            "location",
            "status",
            "awaiting",
            "proposed_by_label",
            "proposed_at",
            "waiting_since",
            "reason",
            "evidence",
            "details",
            "urgent",
            "decided_at",
            "decided_on",
            "decided_by_label",
            "decision_reasons",
            "stipulation",
            "decision_details",
            "steps",
        ]


class ActRequestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=StepOutcome.choices,
        help_text="forwarded or declined for a check; approved "
        "or rejected for the decision (withdraw has its own endpoint).",
    )
    reasons = serializers.CharField(allow_blank=True, max_length=10_000)
    stipulation = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10_000
    )
    urgent = serializers.BooleanField(required=False, default=False)
    virtual = serializers.BooleanField(required=False, default=False)
    meeting = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="For a board's decision: the id of the meeting that decided "
        "(/api/v1/meetings/), held, quorate by its attendance, with this on its agenda.",
    )
    decided_on = PlausibleDateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The day the decision was taken (today, or the meeting's date, by default); "
        "time limits that follow count from it.",
    )
    decision_details = serializers.DictField(
        required=False,
        default=dict,
        help_text="The decider's answers to the subject's decision questions when approving "
        "(004 18.4: whether a restriction applies to the provider's other services).",
    )
    expected_step = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=100,
        help_text="The step the caller saw; 409 if someone else took it meanwhile.",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=10_000)


class RecommendationViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Recommendations and their decisions, for any subject (a case move, an exception).
    `?awaiting=me` is the caller's inbox: what waits for them, oldest first. `?status=`
    filters."""

    permission_classes = [HasCouncilPermission]
    # Systems read them with the cases:read scope; checks and decisions are people's (no
    # token scope grants them).
    permission_required = {
        "read": "decisions.view_all",
        "act": "decisions.act",
        "withdraw": "decisions.withdraw",
    }
    serializer_class = RecommendationSerializer
    queryset = Recommendation.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        params = self.request.query_params
        return selectors.recommendations(
            council=self.request.council,
            status=params.get("status", ""),
            mine_only_for=None,
        )

    def list(self, request, *args, **kwargs):
        if request.query_params.get("awaiting") == "me":
            rows = selectors.inbox(council=request.council, user=request.user).prefetch_related(
                Prefetch("steps", queryset=DecisionStep.objects.order_by("at", "id"))
            )
        else:
            rows = self.get_queryset()
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            self.get_serializer(selectors.with_subjects(page), many=True).data
        )

    def retrieve(self, request, *args, **kwargs):
        [rec] = selectors.with_subjects([self.get_object()])
        return Response(self.get_serializer(rec).data)

    def _fresh(self, pk):
        [rec] = selectors.with_subjects([self.get_queryset().get(pk=pk)])
        return Response(self.get_serializer(rec).data)

    @extend_schema(
        request=ActRequestSerializer,
        responses={
            200: RecommendationSerializer,
            **error_responses(
                400, 401, 403, 404, 409, conflict="It is decided already, or the step moved on."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        rec = self.get_object()
        data = ActRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recommendation_act(recommendation=rec, actor=request.user, **data.validated_data)
        return self._fresh(rec.pk)

    @extend_schema(
        request=ReasonSerializer,
        responses={
            200: RecommendationSerializer,
            **error_responses(400, 401, 403, 404, 409, conflict="It is decided already."),
        },
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        rec = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recommendation_withdraw(
            recommendation=rec, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._fresh(rec.pk)


class EvidenceFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = EvidenceFile
        fields = ["id", "name", "size", "sha256", "uploaded_by_label", "uploaded_at"]


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=FILE_TYPES_WORDS)

    def validate_file(self, upload):
        """Refused on its declared size, before anything is read."""
        problem = file_problem(upload.name, upload.size)
        if problem:
            raise serializers.ValidationError(problem)
        return upload


@extend_schema(responses={200: EvidenceFileSerializer, **error_responses(401, 403, 404)})
class EvidenceFileViewSet(CouncilScopedMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Files given as evidence (issue 13), by people (no token scope gives evidence). Upload
    one, then name its id in an evidence item (`{"kind": ..., "file": <id>}`) of your own
    proposal; the proposal keeps it. A file is seen by those who see every recommendation
    and by the person who gave it."""

    permission_classes = [HasCouncilPermission]
    permission_required = {
        "create": "decisions.give_evidence",
        "read": "decisions.view_evidence",
    }
    serializer_class = EvidenceFileSerializer
    queryset = EvidenceFile.objects.none()
    parser_classes = [MultiPartParser]
    lookup_value_regex = r"\d{1,18}"

    def get_queryset(self):
        return selectors.evidence_files(council=self.request.council, user=self.request.user)

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceFileSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request, *args, **kwargs):
        data = EvidenceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        kept = evidence_file_upload(
            council=request.council, actor=request.user, name=upload.name, content=upload.read()
        )
        return Response(EvidenceFileSerializer(kept).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, under the name it was given with."
            ),
            **error_responses(401, 403, 404),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        found = self.get_object()
        return files.download(found.file, found.original_name)

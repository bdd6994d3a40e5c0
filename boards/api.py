"""REST endpoints for boards and meetings (issue 12). Thin: the services decide; the quorum
comes from attendance, never from the caller."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from boards import selectors
from boards.models import AgendaItem, Attendance, Meeting, MeetingKind, Member
from boards.services import (
    agenda_refer,
    attendance_record,
    meeting_schedule,
    member_add,
    papers_issue,
)
from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField
from councils.models import User
from decisions.models import Recommendation


class PostSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    organisation = serializers.CharField()
    external = serializers.BooleanField()


class QuorumRuleSerializer(serializers.Serializer):
    min_members = serializers.IntegerField()
    must_include = serializers.ListField(child=serializers.CharField())
    seed = serializers.CharField()


class BoardSerializer(serializers.Serializer):
    """A board or kind of meeting as the council's policy pack declares it."""

    key = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    purpose = serializers.CharField()
    seed = serializers.CharField()
    frequency = serializers.CharField()
    called_by = serializers.CharField()
    chair = serializers.CharField()
    posts = PostSerializer(many=True)
    quorum = QuorumRuleSerializer(allow_null=True)
    papers_days_before = serializers.IntegerField(allow_null=True)
    urgent_virtual = serializers.BooleanField()
    decides = serializers.ListField(child=serializers.CharField())
    agenda = serializers.ListField(child=serializers.CharField())


class BoardsView(CouncilScopedMixin, APIView):
    """The council's boards and kinds of meeting, from its policy pack."""

    permission_classes = [HasCouncilPermission]
    permission_required = "boards.view"

    @extend_schema(responses=BoardSerializer(many=True))
    def get(self, request):
        return Response(BoardSerializer(selectors.boards(council=request.council), many=True).data)


class MemberSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    posts = serializers.ListField(child=serializers.CharField(max_length=60), max_length=20)

    class Meta:
        model = Member
        fields = [
            "id",
            "board",
            "user",
            "name",
            "organisation",
            "posts",
            "chair",
            "vice_chair",
            "joined_on",
            "left_on",
        ]
        read_only_fields = ["id", "left_on"]


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("board", str)]))
class MemberViewSet(CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Members of the council's boards, by post (003 Appendix 4 Appendix 1)."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "boards.view", "write": "boards.manage_members"}
    serializer_class = MemberSerializer
    queryset = Member.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.members(
            council=self.request.council, board=self.request.query_params.get("board", "")[:60]
        )

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = member_add(
            council=self.request.council,
            actor=self.request.user,
            board=d["board"],
            name=d["name"],
            posts=d["posts"],
            organisation=d.get("organisation", ""),
            user=d.get("user"),
            chair=d.get("chair", False),
            vice_chair=d.get("vice_chair", False),
            joined_on=d.get("joined_on"),
        )


class AttendanceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "name", "present", "apologies", "declared_interest"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["position", "title", "standing", "recommendation", "discussion"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    record = serializers.CharField(read_only=True, help_text="minutes, or notes (not quorate)")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "reference",
            "board",
            "kind",
            "virtual",
            "meets_on",
            "status",
            "quorate",
            "quorum_reasons",
            "record",
            "papers_issued_on",
        ]
        read_only_fields = [
            "id",
            "reference",
            "status",
            "quorate",
            "quorum_reasons",
            "record",
            "papers_issued_on",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    attendance = AttendanceSerializer(many=True, read_only=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "attendance", "agenda"]


class AttendanceRequest(serializers.Serializer):
    present = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=100)
    apologies = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=100, required=False, default=list
    )
    interests = serializers.DictField(
        child=serializers.CharField(max_length=500),
        required=False,
        default=dict,
        help_text="Member id → the interest they declared.",
    )

    def validate_interests(self, value):
        if len(value) > 100 or not all(k.isdigit() and len(k) < 12 for k in value):
            raise serializers.ValidationError("Give member ids with the interest each declared.")
        return {int(k): v for k, v in value.items()}


class PapersRequest(serializers.Serializer):
    issued_on = PlausibleDateField(required=False, allow_null=True, default=None)


class ReferRequest(serializers.Serializer):
    recommendation = serializers.IntegerField(min_value=1)


class ScheduleRequest(serializers.Serializer):
    board = serializers.CharField(max_length=60)
    meets_on = PlausibleDateField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.SCHEDULED)
    virtual = serializers.BooleanField(default=False)


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("board", str)]))
class MeetingViewSet(CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Meetings of the council's boards: arranged (with the pack's standing agenda), items
    referred to them, attendance recorded; the quorum is computed from attendance."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "boards.view", "write": "boards.run_meetings"}
    queryset = Meeting.objects.none()
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.meetings(
                council=self.request.council,
                board=self.request.query_params.get("board", "")[:60],
            )
        return selectors.meeting_detail_queryset(council=self.request.council)

    @extend_schema(request=ScheduleRequest, responses={201: MeetingDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = ScheduleRequest(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = meeting_schedule(
            council=request.council, actor=request.user, **data.validated_data
        )
        return self._fresh(meeting.pk, status.HTTP_201_CREATED)

    def _fresh(self, pk, code=status.HTTP_200_OK):
        meeting = selectors.meeting_detail_queryset(council=self.request.council).get(pk=pk)
        return Response(MeetingDetailSerializer(meeting).data, status=code)

    @extend_schema(request=AttendanceRequest, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self.get_object()
        data = AttendanceRequest(data=request.data)
        data.is_valid(raise_exception=True)
        attendance_record(meeting=meeting, actor=request.user, **data.validated_data)
        return self._fresh(meeting.pk)

    @extend_schema(request=PapersRequest, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def papers(self, request, pk=None):
        """The papers went to every member (003 Appendix 4 ToR 2: at least a week before)."""
        meeting = self.get_object()
        data = PapersRequest(data=request.data)
        data.is_valid(raise_exception=True)
        papers_issue(
            meeting=meeting, actor=request.user, issued_on=data.validated_data["issued_on"]
        )
        return self._fresh(meeting.pk)

    @extend_schema(request=ReferRequest, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        meeting = self.get_object()
        data = ReferRequest(data=request.data)
        data.is_valid(raise_exception=True)
        rec = Recommendation.objects.filter(
            council=request.council, pk=data.validated_data["recommendation"]
        ).first()
        if rec is None:
            raise serializers.ValidationError({"recommendation": ["No such recommendation."]})
        agenda_refer(meeting=meeting, actor=request.user, recommendation=rec)
        return self._fresh(meeting.pk)

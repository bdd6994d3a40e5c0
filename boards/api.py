"""REST endpoints for boards and meetings (issue 12). Thin: the services decide; the quorum
comes from attendance, never from the caller."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from boards import records, selectors
from boards.models import Action, AgendaItem, Attendance, Meeting, MeetingKind, Member
from boards.services import (
    agenda_refer,
    attendance_record,
    meeting_schedule,
    member_add,
    papers_issue,
)
from core.actors import person_of
from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField
from councils.models import User
from decisions.models import Recommendation
from providers.api import LocationField, ProviderField


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
    about_provider = serializers.BooleanField()
    reports_to = serializers.CharField()
    provider_letter = serializers.CharField()


class BoardsView(CouncilScopedMixin, APIView):
    """The council's boards and kinds of meeting, from its policy pack."""

    permission_classes = [HasCouncilPermission]
    permission_required = "boards.view"

    @extend_schema(responses=BoardSerializer(many=True))
    def get(self, request):
        boards = selectors.boards(council=request.council, user=request.user)
        return Response(BoardSerializer(boards, many=True).data)


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
            council=self.request.council,
            board=self.request.query_params.get("board", "")[:60],
            user=self.request.user,
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
        fields = ["member", "name", "present", "apologies", "declared_interest", "response"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "position",
            "title",
            "standing",
            "recommendation",
            "discussion",
            "outcome",
            "for_provider",
        ]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    meeting_reference = serializers.CharField(source="meeting.reference", read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "meeting",
            "meeting_reference",
            "item",
            "what",
            "action_by",
            "owner",
            "monitored_by",
            "due_on",
            "for_provider",
            "done_on",
            "done_note",
        ]
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
            "provider",
            "location",
            "called_by",
            "follows",
            "approved_at",
            "reported_on",
            "provider_letter",
        ]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    attendance = AttendanceSerializer(many=True, read_only=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "attendance", "agenda", "actions"]


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

    responses = serializers.DictField(
        child=serializers.CharField(max_length=500),
        required=False,
        default=dict,
        help_text="At an urgent virtual meeting, member id → their response.",
    )

    def _by_member(self, value, what: str):
        if len(value) > 100 or not all(k.isdigit() and len(k) < 12 for k in value):
            raise serializers.ValidationError(f"Give member ids with {what}.")
        return {int(k): v for k, v in value.items()}

    def validate_interests(self, value):
        return self._by_member(value, "the interest each declared")

    def validate_responses(self, value):
        return self._by_member(value, "each one's response")


class RecordItem(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    discussion = serializers.CharField(max_length=20_000, allow_blank=True, default="")
    outcome = serializers.CharField(max_length=20_000, allow_blank=True, default="")
    for_provider = serializers.BooleanField(default=False)


class RecordRequest(serializers.Serializer):
    items = RecordItem(many=True, max_length=200)


class ActionRequest(serializers.Serializer):
    what = serializers.CharField(max_length=2000)
    action_by = serializers.CharField(max_length=200)
    due_on = PlausibleDateField()
    item = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, default=None
    )
    monitored_by = serializers.CharField(max_length=200, required=False, default="")
    for_provider = serializers.BooleanField(default=False)


class ApproveRequest(serializers.Serializer):
    at = serializers.IntegerField(min_value=1, help_text="The later meeting that approved them.")


class ReportRequest(serializers.Serializer):
    reported_on = PlausibleDateField(required=False, allow_null=True, default=None)


class DoneRequest(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class PapersRequest(serializers.Serializer):
    issued_on = PlausibleDateField(required=False, allow_null=True, default=None)


class ReferRequest(serializers.Serializer):
    recommendation = serializers.IntegerField(min_value=1)


class ScheduleRequest(serializers.Serializer):
    board = serializers.CharField(max_length=60)
    meets_on = PlausibleDateField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.SCHEDULED)
    virtual = serializers.BooleanField(default=False)
    provider = ProviderField(required=False, allow_null=True, default=None)
    location = LocationField(required=False, allow_null=True, default=None)
    follows = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


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
                user=self.request.user,
            )
        return selectors.meeting_detail_queryset(
            council=self.request.council, user=self.request.user
        )

    @extend_schema(request=ScheduleRequest, responses={201: MeetingDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = ScheduleRequest(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        follows = d.pop("follows")
        if follows is not None:
            d["follows"] = selectors.meetings(council=request.council).filter(pk=follows).first()
            if d["follows"] is None:
                raise serializers.ValidationError({"follows": ["No such meeting."]})
        meeting = meeting_schedule(council=request.council, actor=request.user, **d)
        return self._fresh(meeting.pk, status.HTTP_201_CREATED)

    def _fresh(self, pk, code=status.HTTP_200_OK):
        meeting = selectors.meeting_detail_queryset(council=self.request.council).get(pk=pk)
        return Response(MeetingDetailSerializer(meeting).data, status=code)

    @extend_schema(request=RecordRequest, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """The minutes (or notes): each item's discussion and what was agreed."""
        meeting = self.get_object()
        data = RecordRequest(data=request.data)
        data.is_valid(raise_exception=True)
        items = {i.pop("item"): i for i in data.validated_data["items"]}
        records.minutes_write(meeting=meeting, actor=request.user, items=items)
        return self._fresh(meeting.pk)

    @extend_schema(request=ActionRequest, responses={201: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        """An action the meeting agreed, tracked as a timer (003 Appendix 1 Table 3)."""
        meeting = self.get_object()
        data = ActionRequest(data=request.data)
        data.is_valid(raise_exception=True)
        records.action_add(meeting=meeting, actor=request.user, **data.validated_data)
        return self._fresh(meeting.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ApproveRequest, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The record approved at a later meeting of the same board."""
        meeting = self.get_object()
        data = ApproveRequest(data=request.data)
        data.is_valid(raise_exception=True)
        at = selectors.meetings(council=request.council).filter(pk=data.validated_data["at"])
        if not at.exists():
            raise serializers.ValidationError({"at": ["No such meeting."]})
        records.minutes_approve(meeting=meeting, actor=request.user, at=at.get())
        return self._fresh(meeting.pk)

    @extend_schema(request=ReportRequest, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Reported to the body the pack names (001 Appendix 3: the SAB)."""
        meeting = self.get_object()
        data = ReportRequest(data=request.data)
        data.is_valid(raise_exception=True)
        records.report_record(
            meeting=meeting, actor=request.user, reported_on=data.validated_data["reported_on"]
        )
        return self._fresh(meeting.pk)

    @extend_schema(request=None, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="provider-notes")
    def provider_notes(self, request, pk=None):
        """The provider's part of the record, asked for as a letter (003 Appendix 1 Table 3)."""
        meeting = self.get_object()
        records.provider_notes_send(meeting=meeting, actor=request.user)
        return self._fresh(meeting.pk)

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


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("mine", bool, description="Only the actions the caller owns."),
            OpenApiParameter("open", bool, description="Only those not yet done."),
        ]
    )
)
class ActionViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Actions meetings agreed, with who does them and by when."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "boards.view", "write": "boards.view"}
    serializer_class = ActionSerializer
    queryset = Action.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        seats = selectors.seats_of(council=self.request.council, user=self.request.user)
        qs = Action.objects.filter(council=self.request.council).select_related("meeting")
        if seats is not None:
            qs = qs.filter(meeting__board__in=seats)
        params = self.request.query_params
        if params.get("mine") in ("1", "true"):
            person = person_of(self.request.user)  # a system's token owns no actions
            qs = qs.filter(owner=person) if person is not None else qs.none()
        if params.get("open") in ("1", "true"):
            qs = qs.filter(done_on__isnull=True)
        return qs.order_by("due_on", "id")

    @extend_schema(request=DoneRequest, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Done: its timer is met. Its owner or the board's secretariat records it."""
        found = self.get_object()
        data = DoneRequest(data=request.data)
        data.is_valid(raise_exception=True)
        found = records.action_done(action=found, actor=request.user, **data.validated_data)
        return Response(ActionSerializer(found).data)

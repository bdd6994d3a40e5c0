"""REST endpoints for restrictions, their appeals and notices: read by quality staff, auditors
and systems with `restrictions:read`; proposed, changed, reviewed and appealed by people (the
decisions themselves are taken at /api/v1/recommendations/)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField, error_responses
from decisions.api import EvidenceSerializer
from providers.api import LocationField, ProviderField
from restrictions.models import (
    Appeal,
    AppealStatus,
    Level,
    Notice,
    Restriction,
    RestrictionEvent,
    Status,
)
from restrictions.pack import Restrictions
from restrictions.selectors import restrictions as selectors
from restrictions.services import (
    appeal_lodge,
    notice_record_sent,
    restriction_change,
    restriction_contact_update,
    restriction_dismiss,
    restriction_propose,
    restriction_review,
    restriction_withdraw,
)

TEXT = 10_000


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RestrictionEvent
        fields = ["kind", "on", "at", "from_level", "to_level", "actor_label", "reason"]


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = [
            "id",
            "when",
            "audience",
            "label",
            "letter",
            "seed",
            "status",
            "due_on",
            "sent_on",
            "sent_how",
            "sent_by_label",
        ]


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="contact_name", allow_blank=True, max_length=200)
    telephone = serializers.CharField(source="contact_phone", allow_blank=True, max_length=40)
    email = serializers.CharField(source="contact_email", allow_blank=True, max_length=254)


class RestrictionSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(help_text="The level in the council's words.")
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True, default=None)
    contact = ContactSerializer(source="*", read_only=True)
    recommendation = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Restriction
        fields = [
            "id",
            "reference",
            "provider",
            "provider_name",
            "location",
            "location_name",
            "level",
            "label",
            "status",
            "level_since",
            "decided_on",
            "decided_by_label",
            "review_on",
            "hold_until",
            "ended_on",
            "shared",
            "origin",
            "contact",
            "exceptions",
            "case",
            "recommendation",
            "created_at",
        ]

    def get_label(self, obj) -> str:
        pack = self.context.get("pack")
        return pack.level(obj.level).label if pack else Level(obj.level).label


class RestrictionDetailSerializer(RestrictionSerializer):
    events = EventSerializer(many=True, read_only=True)
    notices = NoticeSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta(RestrictionSerializer.Meta):
        fields = [
            *RestrictionSerializer.Meta.fields,
            "reasons",
            "evidence",
            "details",
            "events",
            "notices",
        ]


class ContactInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=254)


class ProposeRequest(serializers.Serializer):
    level = serializers.ChoiceField(choices=[lv for lv in Level.values if lv != Level.NONE])
    location = LocationField(required=False, allow_null=True, default=None)
    provider = ProviderField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For all of the provider's services (004 18.4), instead of a location.",
    )
    reasons = serializers.CharField(allow_blank=True, max_length=TEXT)
    evidence = EvidenceSerializer(many=True, required=False, default=list, max_length=50)
    details = serializers.DictField(required=False, default=dict)
    exceptions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT
    )
    contact = ContactInput(required=False, default=dict)
    review_on = PlausibleDateField(required=False, allow_null=True, default=None)
    urgent = serializers.BooleanField(required=False, default=False)
    suggestion = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of a restriction a rule suggested, taken up.",
    )


class ChangeRequest(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices, help_text="`none` lifts it.")
    reasons = serializers.CharField(allow_blank=True, max_length=TEXT)
    evidence = EvidenceSerializer(many=True, required=False, default=list, max_length=50)
    details = serializers.DictField(required=False, default=dict)
    review_on = PlausibleDateField(required=False, allow_null=True, default=None)
    urgent = serializers.BooleanField(required=False, default=False)


class ReviewRequest(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, max_length=TEXT)
    next_review_on = PlausibleDateField(allow_null=True)
    compliance_on = PlausibleDateField(required=False, allow_null=True, default=None)
    hold = serializers.BooleanField(required=False, default=False)


class ReasonRequest(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=TEXT)


class ContactRequest(serializers.Serializer):
    contact = ContactInput()
    exceptions = serializers.CharField(allow_blank=True, max_length=TEXT)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", *Status.values]),
            OpenApiParameter("level", str, enum=Level.values),
            OpenApiParameter("q", str, description="Reference, name or CQC location ID."),
        ],
        responses={200: RestrictionSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        responses={200: RestrictionDetailSerializer, **error_responses(401, 403, 404)}
    ),
)
class RestrictionViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The council's restrictions on placements. Proposing one puts it into the decision
    chain the council's pack names (or in place at once where it names none); its decisions
    are taken at /api/v1/recommendations/."""

    permission_classes = [HasCouncilPermission]
    permission_required = {
        "read": "restrictions.view_restriction",
        "create": "restrictions.propose",
        "change": "restrictions.propose",
        "withdraw": "restrictions.propose",
        "dismiss": "restrictions.propose",
        "review": "restrictions.review",
        "contact": "restrictions.review",
    }
    queryset = Restriction.objects.none()
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return RestrictionDetailSerializer if self.action != "list" else RestrictionSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        council = getattr(self.request, "council", None)
        if council is not None and council.active_policy_id:
            context["pack"] = Restrictions.of(council)
        return context

    def get_queryset(self):
        p = self.request.query_params
        qs = selectors.restrictions(
            council=self.request.council,
            status=p.get("status", "")[:20],
            level=p.get("level", "") if p.get("level", "") in Level.values else "",
            q=p.get("q", "")[:100],
        )
        if self.action != "list":
            qs = qs.defer(None).prefetch_related("events", "notices")
        return qs

    def _fresh(self, pk, code=status.HTTP_200_OK):
        obj = self.get_queryset().get(pk=pk)
        return Response(
            RestrictionDetailSerializer(obj, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(
        request=ProposeRequest,
        responses={
            201: RestrictionDetailSerializer,
            **error_responses(
                400, 401, 403, 404, 409, conflict="One is already proposed or in place."
            ),
        },
    )
    def create(self, request):
        data = ProposeRequest(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        suggestion = d.pop("suggestion")
        if suggestion is not None:
            suggestion = selectors.restrictions(council=request.council).get(pk=suggestion)
        r = restriction_propose(
            council=request.council, actor=request.user, suggestion=suggestion, **d
        )
        return self._fresh(r.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=ChangeRequest,
        responses={
            200: RestrictionDetailSerializer,
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                conflict="It is not in place, a change waits, or a hold lasts.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        r = self.get_object()
        data = ChangeRequest(data=request.data)
        data.is_valid(raise_exception=True)
        restriction_change(restriction=r, actor=request.user, **data.validated_data)
        return self._fresh(r.pk)

    @extend_schema(
        request=ReviewRequest,
        responses={200: RestrictionDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        r = self.get_object()
        data = ReviewRequest(data=request.data)
        data.is_valid(raise_exception=True)
        restriction_review(restriction=r, actor=request.user, **data.validated_data)
        return self._fresh(r.pk)

    @extend_schema(
        request=ReasonRequest,
        responses={200: RestrictionDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        r = self.get_object()
        data = ReasonRequest(data=request.data)
        data.is_valid(raise_exception=True)
        restriction_withdraw(
            restriction=r, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._fresh(r.pk)

    @extend_schema(
        request=ReasonRequest,
        responses={200: RestrictionDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        r = self.get_object()
        data = ReasonRequest(data=request.data)
        data.is_valid(raise_exception=True)
        restriction_dismiss(restriction=r, actor=request.user, reason=data.validated_data["reason"])
        return self._fresh(r.pk)

    @extend_schema(
        request=ContactRequest,
        responses={200: RestrictionDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        r = self.get_object()
        data = ContactRequest(data=request.data)
        data.is_valid(raise_exception=True)
        restriction_contact_update(restriction=r, actor=request.user, **data.validated_data)
        return self._fresh(r.pk)


class AppealSerializer(serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)
    restriction_reference = serializers.CharField(source="restriction.reference", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "reference",
            "restriction",
            "restriction_reference",
            "letter_on",
            "received_on",
            "grounds",
            "evidence",
            "status",
            "due_on",
            "recommendation",
            "outcome",
            "decided_on",
            "recorded_by_label",
        ]


class AppealRequest(serializers.Serializer):
    restriction = serializers.IntegerField()
    received_on = PlausibleDateField()
    grounds = serializers.CharField(allow_blank=True, max_length=TEXT)
    evidence = EvidenceSerializer(many=True, required=False, default=list, max_length=50)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("status", str, enum=AppealStatus.values)],
        responses={200: AppealSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(responses={200: AppealSerializer, **error_responses(401, 403, 404)}),
)
class AppealViewSet(CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Providers' appeals against restrictions (004 19.2), recorded as received; decided at
    /api/v1/recommendations/ by the post the pack names. A late one is refused with 400
    naming the day it was due."""

    permission_classes = [HasCouncilPermission]
    permission_required = {
        "read": "restrictions.view_restriction",
        "write": "restrictions.record_appeal",
    }
    serializer_class = AppealSerializer
    queryset = Appeal.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        wanted = self.request.query_params.get("status", "")
        return selectors.appeals(
            council=self.request.council, status=wanted if wanted in AppealStatus.values else ""
        )

    @extend_schema(
        request=AppealRequest,
        responses={
            201: AppealSerializer,
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                conflict="Not in place, the letter not sent, or an appeal waits.",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        data = AppealRequest(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        r = selectors.restrictions(council=request.council).get(pk=d.pop("restriction"))
        appeal = appeal_lodge(restriction=r, actor=request.user, **d)
        return Response(
            AppealSerializer(self.get_queryset().get(pk=appeal.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class SentRequest(serializers.Serializer):
    sent_on = PlausibleDateField()
    how = serializers.CharField(allow_blank=True, max_length=300)


@extend_schema_view(
    list=extend_schema(responses={200: NoticeSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: NoticeSerializer, **error_responses(401, 403, 404)}),
)
class NoticeViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Whom the council must tell of each decision (004 19.1-19.5): still to send by
    default (`?status=sent` for those sent)."""

    permission_classes = [HasCouncilPermission]
    permission_required = {
        "read": "restrictions.view_restriction",
        "sent": "restrictions.record_notice",
    }
    serializer_class = NoticeSerializer
    queryset = Notice.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if self.request.query_params.get("status") == "sent":
            return Notice.objects.filter(council=self.request.council, status="sent").order_by(
                "-sent_on", "-id"
            )
        return selectors.notices_due(council=self.request.council)

    @extend_schema(
        request=SentRequest,
        responses={
            200: NoticeSerializer,
            **error_responses(400, 401, 403, 404, 409, conflict="Recorded as sent already."),
        },
    )
    @action(detail=True, methods=["post"])
    def sent(self, request, pk=None):
        notice = Notice.objects.filter(council=request.council).get(pk=pk)
        data = SentRequest(data=request.data)
        data.is_valid(raise_exception=True)
        notice = notice_record_sent(notice=notice, actor=request.user, **data.validated_data)
        return Response(NoticeSerializer(notice).data)

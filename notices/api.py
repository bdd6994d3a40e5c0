"""The letters over REST: list and read a council's letters (the letters of a case or a
location, those waiting to be issued), change a draft, issue it, download its PDF, record it
posted and its receipt confirmed, correct it, and the email deliveries (a bounce recorded, a
failed one sent again)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CouncilScopedMixin, HasCouncilPermission, PlausibleDateField, error_responses
from notices import selectors
from notices.models import Delivery, IssuedLetter, Letter
from notices.services import (
    delivery_record_bounce,
    delivery_retry,
    letter_cancel,
    letter_correct,
    letter_issue,
    letter_preview,
    letter_record_post,
    letter_record_receipt,
    letter_update,
)
from notices.tasks import delivery_send_task


class DeliverySerializer(serializers.ModelSerializer):
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "channel", "channel_label", "to", "status", "status_label", "attempts",
            "last_error", "next_try_at", "sent_at", "created_at",
        ]  # fmt: skip


class IssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IssuedLetter
        fields = ["reference", "version", "dated", "sha256", "issued_at", "issued_by_label"]


class LetterSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True, default="")
    location_name = serializers.CharField(source="location.name", read_only=True, default="")
    issue = IssueSerializer(read_only=True, allow_null=True)
    replaces = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Letter
        fields = [
            "id", "kind", "title", "seed", "reference", "version", "replaces", "status",
            "status_label", "problem", "subject_type", "subject_id", "case_id",
            "case_reference", "provider", "provider_name", "location", "location_name",
            "addressee_name", "addressee_role", "addressee_organisation", "address", "email",
            "please_ask_for", "signatory", "note", "dated", "issued_at", "issued_by_label",
            "sent_by_post_on", "receipt_confirmed_on", "receipt_how", "issue", "created_at",
        ]  # fmt: skip


class LetterDetailSerializer(LetterSerializer):
    deliveries = DeliverySerializer(many=True, read_only=True)
    facts = serializers.JSONField(read_only=True)

    class Meta(LetterSerializer.Meta):
        fields = [*LetterSerializer.Meta.fields, "facts", "deliveries"]


class LetterChange(serializers.Serializer):
    addressee_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    addressee_role = serializers.CharField(required=False, allow_blank=True, max_length=200)
    addressee_organisation = serializers.CharField(required=False, allow_blank=True, max_length=300)
    address = serializers.CharField(required=False, allow_blank=True, max_length=600)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    please_ask_for = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    signatory = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class PostedRequest(serializers.Serializer):
    sent_on = PlausibleDateField()


class ReceiptRequest(serializers.Serializer):
    received_on = PlausibleDateField()
    how = serializers.CharField(max_length=300)


class LetterReasonRequest(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


PDF = OpenApiResponse(OpenApiTypes.BINARY, description="The letter as a PDF.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(selectors.FILTERS)),
            OpenApiParameter("case", int, description="The letters of a case."),
            OpenApiParameter("location", int, description="The letters about a location."),
        ],
        responses={200: LetterSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        responses={200: LetterDetailSerializer, **error_responses(401, 403, 404)}
    ),
    partial_update=extend_schema(
        request=LetterChange,
        responses={
            200: LetterDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, conflict="The letter is issued already."),
        },
    ),
)
class LetterViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """A council's letters. A draft is written by a worker from the request a move or
    decision left; a person previews it (`pdf`), corrects the draft, and issues it. An issued
    letter never changes: `correct` starts a new version that names the one it replaces."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "notices.view_letters", "write": "notices.issue_letter"}
    queryset = Letter.objects.none()
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return LetterSerializer if self.action == "list" else LetterDetailSerializer

    def get_queryset(self):
        p = self.request.query_params
        ids = {}
        for key in ("case", "location"):
            value = p.get(key, "")
            if value:
                if not value.isdigit() or len(value) > 12:
                    raise serializers.ValidationError({key: ["Give a number."]})
                ids[key] = int(value)
        return selectors.letters(
            council=self.request.council,
            status=p.get("status", "")[:20],
            case_id=ids.get("case"),
            location_id=ids.get("location"),
        )

    def get_object(self):
        return selectors.letter_get(council=self.request.council, pk=self.kwargs["pk"])

    def _fresh(self, pk, code=status.HTTP_200_OK):
        letter = selectors.letter_get(council=self.request.council, pk=pk)
        return Response(LetterDetailSerializer(letter).data, status=code)

    def partial_update(self, request, pk=None):
        letter = self.get_object()
        data = LetterChange(data=request.data)
        data.is_valid(raise_exception=True)
        letter_update(letter=letter, actor=request.user, changes=dict(data.validated_data))
        return self._fresh(letter.pk)

    @extend_schema(
        request=None,
        responses={
            201: LetterDetailSerializer,
            **error_responses(
                400, 401, 403, 404, 409, conflict="Issued already, replaced or not to be sent."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        letter = self.get_object()
        letter_issue(letter=letter, actor=request.user)
        return self._fresh(letter.pk, status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): PDF, **error_responses(400, 401, 403, 404)})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        letter = self.get_object()
        body = letter_preview(letter=letter, actor=request.user)
        response = HttpResponse(body, content_type="application/pdf")
        name = letter.issue.filename if letter.status == "issued" else f"draft-{letter.pk}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        request=PostedRequest,
        responses={200: LetterDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def posted(self, request, pk=None):
        letter = self.get_object()
        data = PostedRequest(data=request.data)
        data.is_valid(raise_exception=True)
        letter_record_post(letter=letter, actor=request.user, **data.validated_data)
        return self._fresh(letter.pk)

    @extend_schema(
        request=ReceiptRequest,
        responses={200: LetterDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def receipt(self, request, pk=None):
        letter = self.get_object()
        data = ReceiptRequest(data=request.data)
        data.is_valid(raise_exception=True)
        letter_record_receipt(letter=letter, actor=request.user, **data.validated_data)
        return self._fresh(letter.pk)

    @extend_schema(
        request=LetterReasonRequest,
        responses={
            201: LetterDetailSerializer,
            **error_responses(
                400, 401, 403, 404, 409, conflict="Not issued, or corrected already."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        letter = self.get_object()
        data = LetterReasonRequest(data=request.data)
        data.is_valid(raise_exception=True)
        new = letter_correct(letter=letter, actor=request.user, **data.validated_data)
        return self._fresh(new.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=LetterReasonRequest,
        responses={200: LetterDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        letter = self.get_object()
        data = LetterReasonRequest(data=request.data)
        data.is_valid(raise_exception=True)
        letter_cancel(letter=letter, actor=request.user, **data.validated_data)
        return self._fresh(letter.pk)


class BounceRequest(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


@extend_schema_view(
    list=extend_schema(responses={200: DeliverySerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: DeliverySerializer, **error_responses(401, 403, 404)}),
)
class DeliveryViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """How each issued letter was sent. A mail system reports a bounce here; a failed email
    is tried again with backoff for a day, or at once when asked (`retry`)."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "notices.view_letters", "write": "notices.issue_letter"}
    serializer_class = DeliverySerializer
    queryset = Delivery.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Delivery.objects.filter(council=self.request.council).order_by("-created_at", "-id")

    @extend_schema(
        request=BounceRequest,
        responses={200: DeliverySerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def bounce(self, request, pk=None):
        delivery = self.get_object()
        data = BounceRequest(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = delivery_record_bounce(
            delivery=delivery, actor=request.user, **data.validated_data
        )
        return Response(DeliverySerializer(delivery).data)

    @extend_schema(
        request=None,
        responses={200: DeliverySerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        delivery = delivery_retry(delivery=self.get_object(), actor=request.user)
        delivery_send_task.later(request.council.pk, delivery.pk)
        return Response(DeliverySerializer(delivery).data)

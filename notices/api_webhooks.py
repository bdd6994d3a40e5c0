"""Webhooks over REST (council admins): subscriptions, and each delivery's log where a failed
one is sent again."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CouncilScopedMixin, HasCouncilPermission, error_responses
from notices.models import HookDelivery, Subscription
from notices.services import hook_retry, subscription_create, subscription_end
from notices.tasks import hook_send_task
from notices.webhooks import TYPES


class SubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subscription
        fields = ["id", "name", "url", "event_types", "is_active", "created_by_label", "created_at"]


class SubscriptionCreated(SubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown once: keep it to verify.")

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class SubscriptionRequest(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(max_length=500)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(TYPES)), max_length=len(TYPES)
    )


class HookDeliverySerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = HookDelivery
        fields = [
            "id", "subscription", "event_id", "event_type", "payload", "status",
            "status_label", "attempts", "last_status_code", "last_answer", "next_try_at",
            "delivered_at", "created_at",
        ]  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        responses={200: SubscriptionSerializer(many=True), **error_responses(401, 403)}
    ),
    retrieve=extend_schema(
        responses={200: SubscriptionSerializer, **error_responses(401, 403, 404)}
    ),
)
class SubscriptionViewSet(
    CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Other systems told of the council's events. Each delivery is a POST of JSON
    (`id`, `type`, `occurred_at`, `data`, `url`) with `X-Oversight-Signature: t=<unix time>,
    v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`, `X-Oversight-Event` and
    `X-Oversight-Delivery` (the event id: the same on every try)."""

    permission_classes = [HasCouncilPermission]
    permission_required = "notices.manage_webhooks"
    serializer_class = SubscriptionSerializer
    queryset = Subscription.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Subscription.objects.filter(council=self.request.council).order_by("name", "id")

    @extend_schema(
        request=SubscriptionRequest,
        responses={201: SubscriptionCreated, **error_responses(400, 401, 403)},
    )
    def create(self, request, *args, **kwargs):
        data = SubscriptionRequest(data=request.data)
        data.is_valid(raise_exception=True)
        sub, secret = subscription_create(
            council=request.council, actor=request.user, **data.validated_data
        )
        body = SubscriptionSerializer(sub).data
        return Response({**body, "secret": secret}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: SubscriptionSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        sub = subscription_end(subscription=self.get_object(), actor=request.user)
        return Response(SubscriptionSerializer(sub).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("subscription", int), OpenApiParameter("status", str)],
        responses={200: HookDeliverySerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        responses={200: HookDeliverySerializer, **error_responses(401, 403, 404)}
    ),
)
class HookDeliveryViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Each event sent to each subscription: status, tries and the last answer."""

    permission_classes = [HasCouncilPermission]
    permission_required = "notices.manage_webhooks"
    serializer_class = HookDeliverySerializer
    queryset = HookDelivery.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        qs = HookDelivery.objects.filter(council=self.request.council)
        sub = self.request.query_params.get("subscription", "")
        if sub.isdigit() and len(sub) <= 12:
            qs = qs.filter(subscription_id=int(sub))
        wanted = self.request.query_params.get("status", "")
        if wanted:
            qs = qs.filter(status=wanted[:10])
        return qs.order_by("-created_at", "-id")

    @extend_schema(
        request=None,
        responses={200: HookDeliverySerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        delivery = hook_retry(delivery=self.get_object(), actor=request.user)
        hook_send_task.later(request.council.pk, delivery.pk)
        return Response(HookDeliverySerializer(delivery).data)

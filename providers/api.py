"""REST endpoints for the register and imports. Thin: selectors and services do the work."""

from django.conf import settings
from django_scopes import get_scope, scopes_disabled
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CouncilScopedMixin, HasCouncilPermission, error_responses
from core.errors import Conflict, NotAllowed, ValidationFailed
from providers import selectors
from providers.models import (
    NATIONAL_FORMATS,
    ColumnMapping,
    ImportFormat,
    ImportProblem,
    ImportRun,
    LocalRecord,
    Location,
    Provider,
    Rating,
    RegisterSync,
)
from providers.services import import_start, mapping_save
from providers.sync import register_sync_request, sync_state


class _VisibleField(serializers.PrimaryKeyRelatedField):
    """A row of the register by id, as the caller's council sees it: another council's own
    rows (services outside CQC's register) are not found."""

    model: type = Location

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", self.model.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        # Without the request (a serializer made as `X(data=...)` in a view), the council is
        # the one the API view scoped the request to.
        request = self.context.get("request")
        council = getattr(request, "council", None) or get_scope().get("council")
        return self.model.objects.filter(selectors.visible_to(council))


class LocationField(_VisibleField):
    model = Location


class ProviderField(_VisibleField):
    model = Provider


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = [
            "regulator",
            "report_date",
            "report_link_id",
            "overall",
            "safe",
            "effective",
            "caring",
            "responsive",
            "well_led",
        ]


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = [
            "id",
            "cqc_provider_id",
            "name",
            "companies_house_number",
            "charity_number",
            "ownership_type",
            "nominated_individual",
            "registration_status",
        ]


class LocationSerializer(serializers.ModelSerializer):
    provider = ProviderSerializer(read_only=True)

    class Meta:
        model = Location
        fields = [
            "id",
            "cqc_location_id",
            "name",
            "provider",
            "regulator",
            "address_line1",
            "address_line2",
            "town",
            "county",
            "postcode",
            "local_authority",
            "region",
            "care_home",
            "beds",
            "registration_status",
            "registration_date",
            "deregistration_date",
            "dormant",
            "latitude",
            "longitude",
            "overall_rating",
            "rating_date",
        ]


class LocalRecordSerializer(serializers.ModelSerializer):
    """The caller's council's own details of a location; `assessed_rating` is the council's
    assessment, never CQC's."""

    class Meta:
        model = LocalRecord
        fields = [
            "local_name",
            "contact_name",
            "contact_phone",
            "contact_email",
            "contract_reference",
            "assessed_rating",
            "assessed_on",
            "import_run",
            "updated_at",
        ]
        read_only_fields = fields


class LocationDetailSerializer(LocationSerializer):
    service_types = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    ratings = RatingSerializer(many=True, read_only=True)
    own_service = serializers.SerializerMethodField(
        help_text="True for the caller's council's own service, outside CQC's register."
    )
    local_record = serializers.SerializerMethodField()

    class Meta(LocationSerializer.Meta):
        fields = LocationSerializer.Meta.fields + [
            "service_types",
            "phone",
            "website",
            "last_inspection_date",
            "ratings",
            "own_service",
            "local_record",
        ]

    def get_own_service(self, obj) -> bool:
        return obj.owner_council_id is not None

    @extend_schema_field(LocalRecordSerializer(allow_null=True))
    def get_local_record(self, obj):
        request = self.context.get("request")
        record = selectors.local_record(council=getattr(request, "council", None), location=obj)
        return LocalRecordSerializer(record).data if record is not None else None


LOCATION_FILTERS = [
    OpenApiParameter("q", str, description="Name contains"),
    OpenApiParameter("postcode", str, description="Postcode starts with (spaces ignored)"),
    OpenApiParameter("cqc_id", str, description="CQC location or provider ID"),
    OpenApiParameter("local_authority", str),
    OpenApiParameter("service_type", str),
    OpenApiParameter(
        "rating",
        str,
        description="Overall rating, or below_good, or none",
        enum=[v for v, _ in selectors.RATING_FILTER_CHOICES],
    ),
    OpenApiParameter("care_home", OpenApiTypes.BOOL),
]


@extend_schema_view(list=extend_schema(parameters=LOCATION_FILTERS))
class LocationViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The national register's locations, with the same filters as the search page."""

    permission_classes = [HasCouncilPermission]
    permission_required = "providers.view_register"
    queryset = Location.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if self.action == "retrieve":
            return (
                selectors.locations_for(self.request.council)
                .select_related("provider")
                .prefetch_related("service_types", "ratings")
            )
        p = self.request.query_params
        care_home = p.get("care_home")
        if care_home not in (None, "", "true", "false"):
            raise ValidationFailed("Bad filter.", errors={"care_home": ["Use true or false."]})
        rating = p.get("rating", "")
        if rating and rating not in dict(selectors.RATING_FILTER_CHOICES):
            raise ValidationFailed(
                "Bad filter.", errors={"rating": [f"{rating!r} is not a rating filter."]}
            )
        filters = selectors.LocationFilters(
            q=p.get("q", ""),
            postcode=p.get("postcode", ""),
            cqc_id=p.get("cqc_id", ""),
            local_authority=p.get("local_authority", ""),
            service_type=p.get("service_type", ""),
            rating=rating,
            care_home=None if not care_home else care_home == "true",
        )
        return selectors.location_search(council=self.request.council, filters=filters)

    def get_serializer_class(self):
        return LocationDetailSerializer if self.action == "retrieve" else LocationSerializer


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("cqc_id", str)])
)
class ProviderViewSet(CouncilScopedMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasCouncilPermission]
    permission_required = "providers.view_register"
    serializer_class = ProviderSerializer
    queryset = Provider.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        p = self.request.query_params
        return selectors.provider_search(
            council=self.request.council, q=p.get("q", ""), cqc_id=p.get("cqc_id", "")
        )

    @extend_schema(responses=LocationSerializer(many=True))
    @action(detail=True)
    def locations(self, request, pk=None):
        provider = self.get_object()
        qs = (
            selectors.locations_for(request.council)
            .filter(provider=provider)
            .select_related("provider")
            .order_by("name")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(LocationSerializer(page, many=True).data)


class ImportProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportProblem
        fields = ["row", "identifier", "reason"]


class ImportRunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "format",
            "mapping",
            "source_name",
            "status",
            "message",
            "total",
            "processed",
            "percent",
            "providers_created",
            "locations_created",
            "locations_updated",
            "unchanged",
            "ratings_added",
            "rating_changes",
            "local_records",
            "problem_count",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportCreateSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=[c for c in ImportFormat.choices if c[0] != ImportFormat.CQC_API],
        default=ImportFormat.SPREADSHEET,
        help_text="A council imports only its own spreadsheet (403 for CQC's files, which only "
        "the national register's keepers bring in, at /register/imports/).",
    )
    file = serializers.FileField()
    mapping = serializers.IntegerField(required=False, help_text="Column mapping id")

    def validate_file(self, upload):
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise serializers.ValidationError("The file is too large.")
        return upload


class ImportRunViewSet(CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Imports started by the caller's council: start one (multipart upload), follow its
    progress, read its report."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "providers.view_imports", "write": "providers.run_import"}
    serializer_class = ImportRunSerializer
    queryset = ImportRun.objects.none()  # for the schema; requests use get_queryset
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.import_runs(council=self.request.council)

    @extend_schema(request=ImportCreateSerializer, responses={202: ImportRunSerializer})
    def create(self, request, *args, **kwargs):
        if request.data.get("format") in NATIONAL_FORMATS:  # 403 before any 400
            raise NotAllowed(
                "A council's import changes only its own records: CQC's files come to the "
                "national register through its keepers and the sync with CQC."
            )
        data = ImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mapping = None
        if data.validated_data.get("mapping"):
            mapping = ColumnMapping.objects.filter(pk=data.validated_data["mapping"]).first()
            if mapping is None:
                raise ValidationFailed(
                    "Bad input.", errors={"mapping": ["No such column mapping."]}
                )
        upload = data.validated_data["file"]
        run = import_start(
            council=request.council,
            actor=request.user,
            format=data.validated_data["format"],
            filename=upload.name,
            content=upload.read(),
            mapping=mapping,
        )
        run.refresh_from_db()
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=ImportProblemSerializer(many=True))
    @action(detail=True)
    def problems(self, request, pk=None):
        run = self.get_object()
        page = self.paginate_queryset(run.problems.all())
        return self.get_paginated_response(ImportProblemSerializer(page, many=True).data)


class ColumnMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColumnMapping
        fields = ["id", "name", "columns", "options", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ColumnMappingViewSet(
    CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """A council's saved column mappings for its own spreadsheets."""

    permission_classes = [HasCouncilPermission]
    permission_required = {"read": "providers.view_imports", "write": "providers.manage_mappings"}
    serializer_class = ColumnMappingSerializer
    queryset = ColumnMapping.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return ColumnMapping.objects.filter(council=self.request.council)

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = mapping_save(
            council=self.request.council,
            name=d["name"],
            columns=d["columns"],
            options=d.get("options") or {},
            actor=self.request.user,
        )


# --- The national register's keepers (no council's role) --------------------------------------


class KeepsRegister(permissions.BasePermission):
    """A person who keeps the national register (never a council's token)."""

    def has_permission(self, request, view):
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.has_perm("providers.keep_register")
        )


@extend_schema_view(
    list=extend_schema(
        responses={200: ImportRunSerializer(many=True), **error_responses(401, 403)}
    ),
    retrieve=extend_schema(responses={200: ImportRunSerializer, **error_responses(401, 403, 404)}),
)
class NationalImportViewSet(
    CouncilScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The national register's imports of CQC's files and its syncs with CQC: for its keepers.
    A council's imports change only its own records (`/imports/`)."""

    council_required = False
    permission_classes = [KeepsRegister]
    serializer_class = ImportRunSerializer
    queryset = ImportRun.objects.none()  # for the schema; requests use get_queryset
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.national_import_runs()

    @extend_schema(
        request=ImportCreateSerializer,
        responses={202: ImportRunSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request, *args, **kwargs):
        data = ImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        run = import_start(
            council=None,
            actor=request.user,
            format=data.validated_data["format"],
            filename=upload.name,
            content=upload.read(),
        )
        return Response(
            ImportRunSerializer(selectors.national_import_run(pk=run.pk)).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        responses={200: ImportProblemSerializer(many=True), **error_responses(401, 403, 404)}
    )
    @action(detail=True)
    def problems(self, request, pk=None):
        run = self.get_object()
        with scopes_disabled():
            page = self.paginate_queryset(run.problems.all())
        return self.get_paginated_response(ImportProblemSerializer(page, many=True).data)


class RegisterSyncSerializer(serializers.ModelSerializer):
    enabled = serializers.SerializerMethodField()
    pending = serializers.IntegerField(read_only=True)

    class Meta:
        model = RegisterSync
        fields = [
            "source",
            "enabled",
            "cursor",
            "window_end",
            "pending",
            "last_run",
            "last_error",
            "last_tried_at",
            "last_done_at",
            "calls",
        ]
        read_only_fields = fields

    def get_enabled(self, obj) -> bool:
        return settings.CQC_SYNC_ENABLED


class RegisterSyncView(CouncilScopedMixin, APIView):
    """Where the sync with CQC's Syndication API stands (GET); ask it to run now (POST)."""

    council_required = False
    permission_classes = [KeepsRegister]

    @extend_schema(responses={200: RegisterSyncSerializer, **error_responses(401, 403)})
    def get(self, request):
        return Response(RegisterSyncSerializer(sync_state()).data)

    @extend_schema(
        request=None, responses={202: RegisterSyncSerializer, **error_responses(401, 403, 409)}
    )
    def post(self, request):
        if not settings.CQC_SYNC_ENABLED:
            raise Conflict("The sync with CQC is not configured (CQC_SYNC_ENABLED).")
        register_sync_request(actor=request.user)
        return Response(RegisterSyncSerializer(sync_state()).data, status=status.HTTP_202_ACCEPTED)

from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from concerns import api as concerns_api
from concerns import views as concerns_views
from core import views as core_views
from councils import api as councils_api
from councils import views as councils_views
from monitoring import api as monitoring_api
from monitoring import views as monitoring_views
from providers import api as providers_api
from providers import views as providers_views

router = DefaultRouter()
router.register("providers", providers_api.ProviderViewSet, basename="provider")
router.register("locations", providers_api.LocationViewSet, basename="location")
router.register("imports", providers_api.ImportRunViewSet, basename="import")
router.register("column-mappings", providers_api.ColumnMappingViewSet, basename="column-mapping")
router.register("policy-versions", councils_api.PolicyVersionViewSet, basename="policy-version")
router.register("delegations", councils_api.DelegationViewSet, basename="delegation")
router.register("commissioning", monitoring_api.CommissioningViewSet, basename="commissioning")
router.register("intelligence", monitoring_api.IntelligenceViewSet, basename="intelligence")
router.register("risk", monitoring_api.RiskViewSet, basename="risk")
router.register("reviews", monitoring_api.ReviewViewSet, basename="review")
router.register("cases", concerns_api.CaseViewSet, basename="case")
router.register("recommendations", concerns_api.RecommendationViewSet, basename="recommendation")
router.register("alerts", concerns_api.AlertViewSet, basename="alert")
router.register(
    "safeguarding-tracks", concerns_api.SafeguardingTrackViewSet, basename="safeguarding-track"
)
router.register(
    "improvement-plans", monitoring_api.ImprovementPlanViewSet, basename="improvement-plan"
)

api_v1 = [
    path("council/", councils_api.CurrentCouncilView.as_view(), name="current-council"),
    path(
        "locations/<int:location_pk>/timeline/",
        monitoring_api.TimelineView.as_view(),
        name="location-timeline",
    ),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", core_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("council/switch/", councils_views.council_switch, name="council-switch"),
    path("council/policy/", councils_views.policy, name="policy"),
    path("council/policy/diff/", councils_views.policy_diff, name="policy-diff"),
    path("council/people/", councils_views.people, name="people"),
    path("council/tokens/", councils_views.tokens, name="tokens"),
    path("council/tokens/<int:pk>/revoke/", councils_views.token_revoke_view, name="token-revoke"),
    path("cases/", concerns_views.case_list, name="case-list"),
    path("cases/new/", concerns_views.case_new, name="case-new"),
    path("cases/<int:pk>/", concerns_views.case_detail, name="case-detail"),
    path("cases/<int:pk>/moves/<slug:key>/", concerns_views.case_move_view, name="case-move"),
    path(
        "cases/<int:pk>/safeguarding/",
        concerns_views.safeguarding_open_view,
        name="safeguarding-open",
    ),
    path("safeguarding/<int:pk>/", concerns_views.safeguarding_detail, name="safeguarding-detail"),
    path("decisions/", concerns_views.inbox_view, name="inbox"),
    path("decisions/<int:pk>/", concerns_views.recommendation_detail, name="recommendation-detail"),
    path("alerts/", concerns_views.alert_list, name="alert-list"),
    path("alerts/<int:pk>/handle/", concerns_views.alert_handle_view, name="alert-handle"),
    path(
        "locations/<int:location_pk>/exceptions/<slug:key>/",
        concerns_views.exception_new,
        name="exception-new",
    ),
    path("locations/", providers_views.location_search, name="location-search"),
    path("locations/<int:pk>/", providers_views.location_detail, name="location-detail"),
    path("locations/cqc/<str:cqc_id>/", providers_views.location_by_cqc_id, name="location-by-cqc"),
    path("providers/<int:pk>/", providers_views.provider_detail, name="provider-detail"),
    path(
        "locations/<int:location_pk>/commissioning/",
        monitoring_views.commissioning_edit,
        name="commissioning-edit",
    ),
    path(
        "locations/<int:location_pk>/intelligence/new/",
        monitoring_views.intelligence_new,
        name="intelligence-new",
    ),
    path("intelligence/", monitoring_views.intelligence_list, name="intelligence-list"),
    path("risk/", monitoring_views.risk_matrix, name="risk-matrix"),
    path("reviews/", monitoring_views.reviews_list, name="reviews-list"),
    path("plans/<int:pk>/", monitoring_views.plan_detail, name="plan-detail"),
    path("locations/<int:location_pk>/plans/new/", monitoring_views.plan_new, name="plan-new"),
    path(
        "locations/<int:location_pk>/timeline/",
        monitoring_views.location_timeline,
        name="location-timeline",
    ),
    path("reviews/<int:pk>/", monitoring_views.review_detail, name="review-detail"),
    path(
        "locations/<int:location_pk>/reviews/new/",
        monitoring_views.review_new,
        name="review-new",
    ),
    path(
        "locations/<int:location_pk>/risk/override/",
        monitoring_views.risk_override,
        name="risk-override",
    ),
    path(
        "intelligence/<int:pk>/", monitoring_views.intelligence_detail, name="intelligence-detail"
    ),
    path(
        "intelligence/<int:pk>/attachments/<int:attachment_pk>/",
        monitoring_views.attachment_download,
        name="intelligence-attachment",
    ),
    path("imports/", providers_views.import_list, name="import-list"),
    path("imports/<int:pk>/", providers_views.import_detail, name="import-detail"),
    path("imports/mappings/", providers_views.mapping_list, name="mapping-list"),
    path("imports/mappings/new/", providers_views.mapping_edit, name="mapping-new"),
    path("imports/mappings/<int:pk>/", providers_views.mapping_edit, name="mapping-edit"),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

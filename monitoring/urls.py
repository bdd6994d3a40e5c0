from django.urls import path

from monitoring import api, views, views_plans

urlpatterns = [
    path(
        "locations/<int:location_pk>/commissioning/",
        views.commissioning_edit,
        name="commissioning-edit",
    ),
    path(
        "locations/<int:location_pk>/intelligence/new/",
        views.intelligence_new,
        name="intelligence-new",
    ),
    path("intelligence/", views.intelligence_list, name="intelligence-list"),
    path("intelligence/<int:pk>/", views.intelligence_detail, name="intelligence-detail"),
    path(
        "intelligence/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="intelligence-attachment",
    ),
    path("risk/", views.risk_matrix, name="risk-matrix"),
    path("locations/<int:location_pk>/risk/override/", views.risk_override, name="risk-override"),
    path("reviews/", views.reviews_list, name="reviews-list"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("locations/<int:location_pk>/reviews/new/", views.review_new, name="review-new"),
    path("plans/", views_plans.plans_list, name="plans-list"),
    path("plans/<int:pk>/", views_plans.plan_detail, name="plan-detail"),
    path("locations/<int:location_pk>/plans/new/", views_plans.plan_new, name="plan-new"),
    path(
        "locations/<int:location_pk>/timeline/",
        views.location_timeline,
        name="location-timeline",
    ),
]

api_routes = [
    ("commissioning", api.CommissioningViewSet, "commissioning"),
    ("intelligence", api.IntelligenceViewSet, "intelligence"),
    ("risk", api.RiskViewSet, "risk"),
    ("reviews", api.ReviewViewSet, "review"),
    ("improvement-plans", api.ImprovementPlanViewSet, "improvement-plan"),
]
api_urlpatterns = [
    path(
        "locations/<int:location_pk>/timeline/",
        api.TimelineView.as_view(),
        name="location-timeline",
    ),
]

from django.urls import path

from concerns import api, views, views_alerts

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/moves/<slug:key>/", views.case_move_view, name="case-move"),
    path("cases/<int:pk>/assign/", views.case_assign_view, name="case-assign"),
    path("cases/<int:pk>/safeguarding/", views.safeguarding_open_view, name="safeguarding-open"),
    path("safeguarding/<int:pk>/", views.safeguarding_detail, name="safeguarding-detail"),
    path("alerts/", views_alerts.alert_list, name="alert-list"),
    path("alerts/handle/", views_alerts.alerts_bulk_view, name="alerts-handle"),
    path("alerts/<int:pk>/", views_alerts.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/handle/", views_alerts.alert_handle_view, name="alert-handle"),
    path(
        "locations/<int:location_pk>/exceptions/<slug:key>/",
        views.exception_new,
        name="exception-new",
    ),
]

api_routes = [
    ("cases", api.CaseViewSet, "case"),
    ("alerts", api.AlertViewSet, "alert"),
    ("safeguarding-tracks", api.SafeguardingTrackViewSet, "safeguarding-track"),
]
api_urlpatterns = [
    path(
        "recommendations/exceptions/",
        api.ExceptionRequestView.as_view(),
        name="recommendation-exceptions",
    ),
]

from django.urls import path

from restrictions import views, views_lists
from restrictions.api import lists as lists_api
from restrictions.api import placements as placements_api
from restrictions.api import restrictions as restrictions_api

urlpatterns = [
    path("placements/", views.placement_check, name="placement-check"),
    path("restrictions/", views.restriction_list, name="restriction-list"),
    path("restrictions/new/", views.restriction_new, name="restriction-new"),
    path("restrictions/<int:pk>/", views.restriction_detail, name="restriction-detail"),
    path("restrictions/<int:pk>/change/", views.restriction_change_page, name="restriction-change"),
    path("restrictions/<int:pk>/appeal/", views.appeal_new, name="appeal-new"),
    path("restriction-lists/", views_lists.lists_page, name="restriction-lists"),
    path("restriction-lists/issues/<int:pk>/", views_lists.list_issue_page, name="list-issue"),
    path(
        "restriction-lists/issues/<int:pk>/csv/", views_lists.list_issue_csv, name="list-issue-csv"
    ),
    path(
        "restriction-lists/issues/<int:pk>/pdf/", views_lists.list_issue_pdf, name="list-issue-pdf"
    ),
    path("placements/checks/", views_lists.checks_page, name="placement-checks"),
]

api_routes = [
    ("restrictions", restrictions_api.RestrictionViewSet, "restriction"),
    ("restriction-appeals", restrictions_api.AppealViewSet, "restriction-appeal"),
    ("restriction-notices", restrictions_api.NoticeViewSet, "restriction-notice"),
    ("restriction-lists", lists_api.ListIssueViewSet, "restriction-list-issue"),
    ("placement-checks", lists_api.PlacementCheckViewSet, "placement-check-log"),
]

api_urlpatterns = [
    path(
        "placements/changes/",
        placements_api.PlacementChangesView.as_view(),
        name="placement-changes",
    ),
    path(
        "placements/lookup/",
        placements_api.PlacementLookupView.as_view(),
        name="placement-lookup",
    ),
    path(
        "placements/<str:ident>/",
        placements_api.PlacementStatusView.as_view(),
        name="placement-status",
    ),
]

from django.urls import path

from decisions import api, views

urlpatterns = [
    path("decisions/", views.inbox, name="inbox"),
    path("decisions/<int:pk>/", views.recommendation_detail, name="recommendation-detail"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-file"),
]

api_routes = [
    ("recommendations", api.RecommendationViewSet, "recommendation"),
    ("evidence-files", api.EvidenceFileViewSet, "evidence-file"),
]

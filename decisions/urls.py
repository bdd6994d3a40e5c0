from django.urls import path

from decisions import api, views

urlpatterns = [
    path("decisions/", views.inbox, name="inbox"),
    path("decisions/<int:pk>/", views.recommendation_detail, name="recommendation-detail"),
]

api_routes = [("recommendations", api.RecommendationViewSet, "recommendation")]

from django.urls import path

from boards import api

urlpatterns = []

api_routes = [
    ("board-members", api.MemberViewSet, "board-member"),
    ("meetings", api.MeetingViewSet, "meeting"),
]
api_urlpatterns = [path("boards/", api.BoardsView.as_view(), name="boards")]

from django.urls import path

from boards import api, views

urlpatterns = [
    path("boards/", views.board_list, name="board-list"),
    path("boards/<slug:key>/", views.board_detail, name="board-detail"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
]

api_routes = [
    ("board-members", api.MemberViewSet, "board-member"),
    ("meetings", api.MeetingViewSet, "meeting"),
]
api_urlpatterns = [path("boards/", api.BoardsView.as_view(), name="boards")]

from django.urls import path

from boards import api, views

urlpatterns = [
    path("boards/", views.board_list, name="board-list"),
    path("boards/<slug:key>/", views.board_detail, name="board-detail"),
    path("meetings/", views.my_meetings, name="my-meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/record/", views.meeting_record, name="meeting-record"),
    path("meetings/<int:pk>/<slug:part>.pdf", views.meeting_pdf, name="meeting-pdf"),
]

api_routes = [
    ("board-members", api.MemberViewSet, "board-member"),
    ("meetings", api.MeetingViewSet, "meeting"),
    ("board-actions", api.ActionViewSet, "board-action"),
]
api_urlpatterns = [path("boards/", api.BoardsView.as_view(), name="boards")]

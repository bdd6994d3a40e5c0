from django.urls import path

from reporting import api, views

urlpatterns = [
    path("reports/", views.report_index, name="report-index"),
    path("reports/board/", views.board_pack, name="report-board"),
    path("reports/board/pdf/", views.board_pack_pdf, name="report-board-pdf"),
    path("reports/<slug:key>/", views.report_page, name="report"),
]

api_routes = []
api_urlpatterns = [
    path("reports/market/", api.MarketReportView.as_view(), name="report-market"),
    path("reports/work/", api.WorkReportView.as_view(), name="report-work"),
]

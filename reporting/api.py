"""The reports' figures in the API: the same figures as the pages, as tables."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CouncilScopedMixin, HasCouncilPermission
from reporting.period import period_of
from reporting.reports import REPORTS
from reporting.views import DEFAULT_MONTHS


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    seed = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))


class ReportSerializer(serializers.Serializer):
    report = serializers.CharField()
    title = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    figures = FigureSerializer(many=True)


PERIOD = [
    OpenApiParameter("from", str, description="First month, YYYY-MM."),
    OpenApiParameter("to", str, description="Last month, YYYY-MM (this month at most)."),
]


class ReportView(CouncilScopedMixin, APIView):
    """A report's figures for a period: each a table of columns and rows."""

    permission_classes = [HasCouncilPermission]
    permission_required = "reporting.view"
    report = ""

    @extend_schema(parameters=PERIOD, responses=ReportSerializer)
    def get(self, request):
        title, build = REPORTS[self.report]
        period = period_of(request.query_params, default_months=DEFAULT_MONTHS[self.report])
        figures = build(council=request.council, period=period)
        return Response(
            {
                "report": self.report,
                "title": title,
                "first": period.first.isoformat(),
                "last": period.last.isoformat(),
                "figures": [f.as_dict() for f in figures],
            }
        )


class MarketReportView(ReportView):
    """The quality of the care market: share Good or Outstanding by month (area, region,
    England; 002 7), by service type, the latest results in the region, ratings by place."""

    report = "market"


class WorkReportView(ReportView):
    """The council's own work (004 11): RAG over time, intelligence by source, theme,
    severity and provider, reviews, cases, restrictions, decisions, time limits."""

    report = "work"

"""REST endpoints for monitoring, by topic."""

from monitoring.api.commissioning import CommissioningViewSet
from monitoring.api.intelligence import IntelligenceViewSet
from monitoring.api.plans import ImprovementPlanViewSet
from monitoring.api.reviews import ReviewViewSet
from monitoring.api.risk import RiskViewSet
from monitoring.api.timeline import TimelineView

__all__ = [
    "CommissioningViewSet",
    "ImprovementPlanViewSet",
    "IntelligenceViewSet",
    "ReviewViewSet",
    "RiskViewSet",
    "TimelineView",
]

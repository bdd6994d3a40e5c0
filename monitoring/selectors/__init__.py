"""Reads for monitoring, by topic, for pages and the API alike. Each takes the council
explicitly and runs a fixed number of queries whatever the number of rows."""

from monitoring.selectors.commissioning import (
    MEASURES,
    MarketPosition,
    commissioned_locations,
    commissioning_list,
    commissioning_of,
    council_totals,
    market_position,
    provider_totals,
    service_key,
)
from monitoring.selectors.dashboard import OfficerDashboard, location_facts, officer_dashboard
from monitoring.selectors.intelligence import (
    IntelligenceFilters,
    intelligence_detail,
    intelligence_list,
)
from monitoring.selectors.plans import (
    PlanFilters,
    failing_plans,
    location_plans,
    plan_detail,
    plan_list,
    plan_rows,
)
from monitoring.selectors.reviews import (
    ReviewsDue,
    latest_rated_review,
    location_reviews,
    review_detail,
    review_list,
    review_suspension,
    reviews_due,
    suspensions,
)
from monitoring.selectors.risk import (
    RISK_SORTS,
    RiskFilters,
    RiskInputs,
    locations_in_scope,
    risk_counts,
    risk_inputs,
    risk_matrix,
    risk_of,
)

__all__ = [
    "RISK_SORTS",
    "MEASURES",
    "IntelligenceFilters",
    "MarketPosition",
    "OfficerDashboard",
    "ReviewsDue",
    "RiskFilters",
    "RiskInputs",
    "commissioned_locations",
    "commissioning_list",
    "commissioning_of",
    "council_totals",
    "failing_plans",
    "intelligence_detail",
    "intelligence_list",
    "latest_rated_review",
    "location_facts",
    "location_plans",
    "location_reviews",
    "locations_in_scope",
    "market_position",
    "officer_dashboard",
    "plan_detail",
    "plan_list",
    "plan_rows",
    "PlanFilters",
    "provider_totals",
    "review_detail",
    "review_list",
    "review_suspension",
    "reviews_due",
    "risk_counts",
    "risk_inputs",
    "risk_matrix",
    "risk_of",
    "service_key",
    "suspensions",
]

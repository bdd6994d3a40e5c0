"""The monitoring part of the demo: each council commissions 15 locations in its area, with
intelligence, reviews (some with reports or next reviews due), a failing improvement plan and
its risk matrix, the same every time."""

import datetime as dt
import random

from django_scopes import scope

from councils.demo import demo_councils
from councils.models import Council, Role, User
from councils.policy import policy_of
from monitoring.models import Commissioning, Intelligence
from monitoring.pack import review_rules
from monitoring.services import (
    commissioning_save,
    intelligence_record,
    plan_create,
    plan_review_record,
    review_plan,
    review_record,
)
from monitoring.services.risk import risk_recompute
from providers.models import Location

DEMO_REPORTS = [
    (
        "complaint",
        "medium",
        ["personal_care"],
        "Daughter reports her mother was left in bed until midday on two occasions.",
    ),
    (
        "safeguarding_alert",
        "high",
        ["safeguarding", "medication"],
        "Medication given twice in error; resident taken to hospital for observation.",
    ),
    (
        "professional_feedback",
        "low",
        ["records"],
        "District nurse: wound care charts not kept up to date.",
    ),
    (
        "whistleblowing",
        "high",
        ["staffing"],
        "Night shift regularly runs with one carer for two floors.",
    ),
    ("compliment", "low", ["positive"], "Family thank the team for end of life care."),
    ("cq1", "medium", ["missed_calls"], "Three late calls in one week for a person with diabetes."),
]


def _load_council(council: Council) -> str:
    """Commissioning and intelligence for the council's own locations, the same every time."""
    if Commissioning.objects.filter(council=council).exists():
        return f"{council}: monitoring demo already loaded"
    rng = random.Random(council.code)
    areas = policy_of(council).local_authorities
    officers = list(
        User.objects.filter(memberships__council=council, memberships__role=Role.OFFICER)
    )
    locations = list(
        Location.objects.filter(local_authority__in=areas)
        .select_related("provider")
        .order_by("id")[:15]
    )
    for i, location in enumerate(locations):
        care_home = bool(location.care_home)
        commissioning_save(
            council=council,
            location=location,
            actor=None,
            contract_type="block" if i % 5 == 0 else rng.choice(["spot", "framework"]),
            in_area=True,
            annual_spend=rng.randrange(50, 900) * 1000,
            beds=rng.randrange(2, 30) if care_home else 0,
            home_care_hours=0 if care_home else rng.randrange(50, 600),
            people=rng.randrange(3, 60),
            specialist_service="Dementia nursing" if i == 3 else "",
            contact_officer=officers[0] if officers else None,
        )
    today = dt.date.today()
    for i, location in enumerate(locations[:10]):
        source, severity, themes, narrative = DEMO_REPORTS[i % len(DEMO_REPORTS)]
        intelligence_record(
            council=council,
            actor=None,
            source=source,
            severity=severity,
            themes=themes,
            narrative=narrative,
            location=location,
            received_on=today - dt.timedelta(days=3 + 9 * i),
            allocated_to=officers[0] if officers and i % 2 == 0 else None,
        )
    types = review_rules(council).types
    kinds = list(types)
    rated = {key for key, t in types.items() if t.rated}
    for i, location in enumerate(locations[:6]):
        review = review_plan(
            council=council,
            location=location,
            actor=None,
            kind=kinds[i % len(kinds)],
            planned_for=today - dt.timedelta(days=200 + 40 * i),
            officers=officers[:1],
        )
        if i % 3:
            review_record(
                review=review,
                actor=None,
                visited_on=today - dt.timedelta(days=200 + 40 * i),
                officers=officers[:1],
                findings="Care plans reviewed; staff knew residents well.",
                people_spoken_to="The registered manager and two residents",
                rating="Requires improvement" if review.kind in rated else "",
            )
    if officers and locations:
        plan = plan_create(
            council=council,
            location=locations[1],
            actor=None,
            title="Medicines management",
            started_on=today - dt.timedelta(days=150),
            actions=[
                {
                    "what": what,
                    "provider_lead": "Registered manager",
                    "council_monitor": officers[0],
                    "due_on": today - dt.timedelta(days=days),
                }
                for what, days in [
                    ("Weekly MAR chart audit", 120),
                    ("Medicines training for night staff", 90),
                    ("Controlled drugs register checked daily", 60),
                ]
            ],
        )
        for n in range(2):
            plan_review_record(
                plan=plan,
                actor=None,
                reviewed_on=today - dt.timedelta(days=100 - 30 * n),
                results={a.pk: False for a in plan.actions.exclude(status="met")},
            )
    on_matrix = risk_recompute(council=council)
    return (
        f"{council}: {len(locations)} commissioned locations, "
        f"{Intelligence.objects.filter(council=council).count()} intelligence items, "
        f"{on_matrix} locations on the risk matrix"
    )


def load(echo, **options) -> None:
    for council in demo_councils():
        with scope(council=council):
            echo(_load_council(council))

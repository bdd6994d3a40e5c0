"""Demo data for `make run`: the five seed councils with their packs, one user per role per
council, a deterministic synthetic register and the Trafford spreadsheet through a mapping.
Local use only: every demo user has the documented demo password."""

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify
from django_scopes import scope, scopes_disabled

from concerns.models import Case
from councils.models import Council, Delegation, Membership, Role, User
from councils.services import delegation_create, membership_grant, policy_load
from providers import synthetic
from providers.models import ImportFormat
from providers.services import import_from_path, mapping_save

TRAFFORD_FILE = (
    settings.BASE_DIR.parent / "shared" / "data" / "trafford" / "trafford_care_homes.csv"
)
TRAFFORD_MAPPING = {
    "name": "name",
    "cqc_location_id": "cqc_id",
    "service_types": "type",
    "address_line1": "address",
    "postcode": "postcode",
    "phone": "telephone",
    "website": "website",
    "provider_name": "provider",
    "last_inspection_date": "inspection_date",
    "local_authority": "area_name",
    "longitude": "lon",
    "latitude": "lat",
}
TRAFFORD_MAPPING_NAME = "Trafford Data Lab care homes list"


def _person_title(pack: dict) -> tuple[str, str]:
    for maker in pack["decision_makers"]:
        if maker.get("kind", "person") == "person":
            return maker["title"], maker.get("delegate_title", "")
    return pack["decision_makers"][0]["title"], ""


def _chain_posts(pack: dict) -> list[tuple[str, str]]:
    """Posts that take a step in a decision chain (004 18.1: the SRM, then the SM)."""
    posts = {}
    for move in pack.get("escalation", {}).get("moves", []):
        for step in (move.get("approval") or {}).get("chain", []):
            if step.get("title"):
                posts[step["title"]] = step["role"]
    return sorted(posts.items())


def demo_load(*, echo=print, synthetic_locations: int = 300) -> None:
    password = make_password(settings.DEMO_PASSWORD)  # hashed once for every demo user
    councils = []
    for path in sorted(settings.POLICY_DIR.glob("*.yaml")):
        result = policy_load(text=path.read_text(encoding="utf-8"), source_name=path.name)
        councils.append(result.council)
        echo(f"Policy: {result.council.name} v{result.version.number}")

    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "Admin"}
    )
    if created:
        admin.password = password
        admin.save()

    for council in councils:
        pack = council.active_policy.content
        maker_title, delegate_title = _person_title(pack)
        with transaction.atomic(), scope(council=council):
            for role in Role.values:
                user = _user(
                    f"{council.code}-{role.replace('_', '-')}", council, role, pack, password
                )
                title = maker_title if role == Role.DECISION_MAKER else ""
                membership_grant(council=council, user=user, role=role, title=title)
            for title, role in _chain_posts(pack):
                user = _user(f"{council.code}-{slugify(title)}", council, role, pack, password)
                user.last_name = f"({title})"
                user.save(update_fields=["last_name"])
                membership_grant(council=council, user=user, role=role, title=title)
            if delegate_title:
                delegate = _user(f"{council.code}-delegate", council, "manager", pack, password)
                delegate.last_name = f"({delegate_title})"
                delegate.save(update_fields=["last_name"])
                membership_grant(
                    council=council, user=delegate, role=Role.MANAGER, title=delegate_title
                )
                holder = Membership.objects.get(
                    user__username=f"{council.code}-decision-maker", role=Role.DECISION_MAKER
                )
                today = dt.date.today()
                if not Delegation.objects.filter(delegator=holder).exists():
                    delegation_create(
                        council=council,
                        delegator=holder,
                        delegate=delegate,
                        starts_on=today + dt.timedelta(days=7),
                        ends_on=today + dt.timedelta(days=21),
                        reason="Planned leave (demo)",
                        actor=holder.user,
                    )
            mapping_save(
                council=council,
                name=TRAFFORD_MAPPING_NAME,
                columns=TRAFFORD_MAPPING,
                options={"service_type_separator": "|", "null_values": ["", "NA"]},
            )
    # One person in two councils, to show switching.
    multi = _user("multi-council", councils[0], "officer", {}, password)
    multi.first_name, multi.last_name = "Morgan", "Two-Councils"
    multi.save(update_fields=["first_name", "last_name"])
    for council in councils[:2]:
        membership_grant(council=council, user=multi, role=Role.OFFICER)

    demo_dir = settings.VAR_DIR / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    providers, locations = synthetic.records(synthetic_locations, seed=2026)
    data_file = demo_dir / "synthetic-locations.json"
    data_file.write_text(json.dumps(providers + locations))
    run = import_from_path(path=data_file, format=ImportFormat.CQC_JSON)
    echo(f"Synthetic register: {run.message}")

    if TRAFFORD_FILE.exists():
        bromley = next((c for c in councils if c.code == "bromley"), councils[0])
        with scopes_disabled():
            mapping = bromley.column_mappings.get(name=TRAFFORD_MAPPING_NAME)
        run = import_from_path(
            path=Path(TRAFFORD_FILE),
            format=ImportFormat.SPREADSHEET,
            council=bromley,
            mapping=mapping,
        )
        echo(f"Trafford spreadsheet: {run.message}")
    else:
        echo(
            f"Trafford spreadsheet not found at {TRAFFORD_FILE}: skipped (shared/ goes beside "
            "the project)."
        )
    for council in councils:
        with scope(council=council):
            echo(_demo_monitoring(council))
    echo(
        f"Demo users: <council>-<role> (e.g. bromley-officer), password {settings.DEMO_PASSWORD!r}."
    )


def _user(username: str, council: Council, role: str, pack: dict, password: str) -> User:
    user, created = User.objects.get_or_create(username=username)
    if created:
        label = pack.get("roles", {}).get(role, {}).get("label") or role.replace("_", " ").title()
        user.first_name = str(council)
        user.last_name = label
        user.email = f"{username}@example.invalid"
        user.password = password
        user.save()
    return user


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


def _demo_monitoring(council: Council) -> str:
    """Commissioning and intelligence for the council's own locations, the same every time."""
    import random

    from monitoring.models import Commissioning, Intelligence
    from monitoring.services import commissioning_save, intelligence_record
    from providers.models import Location

    if Commissioning.objects.filter(council=council).exists():
        return f"{council}: monitoring demo already loaded"
    rng = random.Random(council.code)
    areas = council.active_policy.content["council"]["local_authorities"]
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
    from monitoring.risk import risk_recompute
    from monitoring.services import plan_create, plan_review_record, review_plan, review_record

    types = council.active_policy.content["reviews"]["types"]
    kinds = [t["key"] for t in types]
    rated = {t["key"] for t in types if t.get("rated")}
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
    _demo_escalation(council, locations)
    return (
        f"{council}: {len(locations)} commissioned locations, "
        f"{Intelligence.objects.filter(council=council).count()} intelligence items, "
        f"{on_matrix} locations on the risk matrix"
    )


def _demo_answer(field) -> object:
    if field.type == "choice":
        return field.choices[0]
    if field.type == "boolean":
        return True
    if field.type == "date":
        return dt.date.today().isoformat()
    return "See the improvement plan and the last review (demo)."


def _demo_escalation(council, locations) -> None:
    """Cases on the ladder, a recommendation waiting in the chain, and the automatic rules
    run over the register (alerts, and in Somerset cases opened by the rule)."""
    from concerns.ladder import Ladder
    from concerns.services import case_move, case_open
    from concerns.triggers import sweep_ratings

    if len(locations) < 3:
        return
    ladder = Ladder.of(council)
    people = {
        m.role: m.user
        for m in Membership.objects.filter(council=council, user__username__startswith=council.code)
    }
    officer = people[Role.OFFICER]
    for location, summary in (
        (locations[1], "Medicines errors reported by the district nurses; the plan is failing."),
        (locations[2], "Complaints about missed calls and staffing over three months."),
    ):
        case_open(council=council, actor=officer, summary=summary, location=location)
    case = Case.objects.filter(council=council, location=locations[1]).first()
    up = next((m for m in ladder.moves_from(case.stage) if m.is_up), None)
    if up is not None:
        actor = next((people[r] for r in (Role.OFFICER, Role.MANAGER) if r in up.by), officer)
        case_move(
            case=case,
            actor=actor,
            move=up.key,
            reason="Medicines actions not met at two plan reviews; the provider is not engaging.",
            evidence=[
                {"kind": k, "note": "Demo: see the improvement plan and the last review."}
                for k in up.evidence
            ],
            details={f.key: _demo_answer(f) for f in up.fields if f.required},
        )
    sweep_ratings(council=council)

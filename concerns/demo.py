"""The escalation part of the demo: the posts each decision chain names (004 18.1: the SRM,
then the SM), two cases per council on its ladder, one with a move recommended and waiting in
its chain, and the automatic rules run over the register (alerts; in Somerset, cases opened
by the rule)."""

import datetime as dt

from django.db import transaction
from django.utils.text import slugify
from django_scopes import scope

from concerns.models import Case
from concerns.pack import Ladder
from concerns.services import case_move, case_open
from concerns.triggers import sweep_ratings
from councils.demo import demo_councils, demo_password, demo_user
from councils.models import Membership, Role
from councils.services import membership_grant
from monitoring.selectors import commissioned_locations


def _chain_posts(ladder: Ladder) -> list[tuple[str, str]]:
    """Posts that take a step in a decision chain, with their role."""
    posts = {}
    for move in ladder.moves:
        for step in move.approval.chain if move.approval else ():
            if step.title:
                posts[step.title] = step.role
    return sorted(posts.items())


def _demo_answer(field) -> object:
    if field.type == "choice":
        return field.choices[0]
    if field.type == "boolean":
        return True
    if field.type == "date":
        return dt.date.today().isoformat()
    return "See the improvement plan and the last review (demo)."


def _load_council(council, password: str) -> None:
    ladder = Ladder.of(council)
    with transaction.atomic():
        for title, role in _chain_posts(ladder):
            user = demo_user(f"{council.code}-{slugify(title)}", council, role, password)
            user.last_name = f"({title})"
            user.save(update_fields=["last_name"])
            membership_grant(council=council, user=user, role=role, title=title)
    locations = commissioned_locations(council=council)
    if len(locations) < 3 or Case.objects.filter(council=council).exists():
        return
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
    up = next((m for m in ladder.moves_from(case.stage) if m.is_up and not m.automatic), None)
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


def load(echo, **options) -> None:
    password = demo_password()
    for council in demo_councils():
        with scope(council=council):
            _load_council(council, password)
            echo(f"{council}: escalation demo loaded")

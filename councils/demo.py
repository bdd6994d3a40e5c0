"""The councils part of the demo (`make run`): the five seed councils with their packs, one
user per role per council (the decision maker with the title the pack names), the decision
maker's delegate with a delegation starting next week, and one person in two councils. Local
use only: every demo user has the documented demo password."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_scopes import scope

from councils.models import Council, Delegation, Membership, Role, User
from councils.policy import policy_of
from councils.services import delegation_create, membership_grant, policy_load


def demo_password() -> str:
    """The demo password, hashed once for every demo user."""
    return make_password(settings.DEMO_PASSWORD)


def demo_user(username: str, council: Council, role: str, password: str) -> User:
    """A demo user named after its council and role, in the council's words."""
    user, created = User.objects.get_or_create(username=username)
    if created:
        label = policy_of(council).role_label(role) or role.replace("_", " ").title()
        user.first_name = str(council)
        user.last_name = label
        user.email = f"{username}@example.invalid"
        user.password = password
        user.save()
    return user


def demo_councils() -> list[Council]:
    return list(Council.objects.filter(code__in=_codes()).select_related("active_policy"))


def _codes() -> list[str]:
    return [p.stem for p in sorted(settings.POLICY_DIR.glob("*.yaml"))]


def _person_title(council: Council) -> tuple[str, str]:
    makers = list(policy_of(council).decision_makers.values())
    person = next((m for m in makers if not m.is_board), makers[0])
    return person.title, person.delegate_title if not person.is_board else ""


def load(echo, **options) -> None:
    password = demo_password()
    councils = []
    for path in sorted(settings.POLICY_DIR.glob("*.yaml")):
        result = policy_load(text=path.read_text(encoding="utf-8"), source_name=path.name)
        councils.append(result.council)
        echo(f"Policy: {result.council.name} v{result.version.number}")

    # The national register's keeper: a role that is no council's (issue 11).
    keeper, _ = User.objects.get_or_create(
        username="register-keeper",
        defaults={
            "first_name": "National register",
            "last_name": "Keeper",
            "email": "register-keeper@example.invalid",
            "password": password,
            "keeps_register": True,
        },
    )
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "Admin"}
    )
    if created:
        admin.password = password
        admin.save()

    for council in councils:
        maker_title, delegate_title = _person_title(council)
        with transaction.atomic(), scope(council=council):
            for role in Role.values:
                user = demo_user(
                    f"{council.code}-{role.replace('_', '-')}", council, role, password
                )
                title = maker_title if role == Role.DECISION_MAKER else ""
                membership_grant(council=council, user=user, role=role, title=title)
            if delegate_title:
                delegate = demo_user(f"{council.code}-delegate", council, "manager", password)
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
    # One person in two councils, to show switching.
    multi = demo_user("multi-council", councils[0], "officer", password)
    multi.first_name, multi.last_name = "Morgan", "Two-Councils"
    multi.save(update_fields=["first_name", "last_name"])
    for council in councils[:2]:
        membership_grant(council=council, user=multi, role=Role.OFFICER)


def loaded() -> bool:
    return User.objects.filter(username="bromley-officer").exists()


def refresh(echo) -> None:
    """The packs may have changed since: load them (identical content makes no version)."""
    for path in sorted(settings.POLICY_DIR.glob("*.yaml")):
        result = policy_load(text=path.read_text(encoding="utf-8"), source_name=path.name)
        if result.created:
            echo(f"Policy: {result.council} v{result.version.number}")

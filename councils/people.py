"""What core's timers and notifications ask of the councils app (filled in `ready()`): when
to warn of a limit (the pack), and who a person's manager is (their membership, else the
council's managers)."""

from __future__ import annotations

import datetime as dt

from django_scopes import scopes_disabled

from councils.models import Membership, Role
from councils.policy import policy_of


def warn_on(council, due_on: dt.date, time_limit: str) -> dt.date | None:
    if council.active_policy_id is None:
        return None
    return policy_of(council).warn_on(due_on, time_limit)


def managers_of(council, user_ids: list[int | None]) -> dict[int | None, list[int]]:
    """{person: their managers here} in two queries: the person each reports to, or, when
    none is named (or nobody owns the timer), everyone who is a Manager in the council."""
    with scopes_disabled():
        named: dict[int | None, set[int]] = {}
        for user_id, boss in (
            Membership.objects.filter(
                council=council, user_id__in=[u for u in user_ids if u], is_active=True
            )
            .exclude(reports_to=None)
            .values_list("user_id", "reports_to_id")
        ):
            named.setdefault(user_id, set()).add(boss)
        everyone = sorted(
            set(
                Membership.objects.filter(
                    council=council, role=Role.MANAGER, is_active=True, user__is_active=True
                ).values_list("user_id", flat=True)
            )
        )
    return {u: sorted(named[u]) if u in named else everyone for u in user_ids}

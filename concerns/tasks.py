"""Tasks take ids, re-enter the council's scope and call one service; safe to run twice
(alerts are unique per cause)."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from councils.models import Council


@shared_task(
    name="concerns.triggers_check",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def triggers_check(council_id: int, kind: str, object_id: int) -> None:
    from concerns.triggers import check

    with scopes_disabled():
        council = Council.objects.select_related("active_policy").get(pk=council_id)
    with scope(council=council):
        check(council=council, kind=kind, object_id=object_id)


@shared_task(name="concerns.triggers_sweep")
def triggers_sweep() -> int:
    from concerns.triggers import sweep_plans, sweep_ratings, sweep_safeguarding

    raised = 0
    with scopes_disabled():
        councils = list(
            Council.objects.filter(is_active=True, active_policy__isnull=False).select_related(
                "active_policy"
            )
        )
    for council in councils:
        if "escalation" not in council.active_policy.content:
            continue
        with scope(council=council):
            # Nightly, so that a cause whose task was lost is still caught, once.
            raised += sweep_ratings(council=council)
            raised += sweep_plans(council=council)
            raised += sweep_safeguarding(council=council)
    return raised

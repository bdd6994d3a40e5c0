"""Tasks take ids, re-enter the council's scope (`CouncilTask`) and call one service; safe to
run twice (alerts are unique per cause)."""

import logging

from celery import shared_task

from concerns.triggers import check, has_ladder, sweep_plans, sweep_ratings, sweep_safeguarding
from core.tasks import CouncilTask, tenants

log = logging.getLogger(__name__)


@shared_task(
    base=CouncilTask,
    name="concerns.triggers_check",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def triggers_check(council, kind: str, object_id: int) -> None:
    check(council=council, kind=kind, object_id=object_id)


@shared_task(base=CouncilTask, name="concerns.triggers_sweep_council")
def triggers_sweep_council(council) -> int:
    """Nightly, so that a cause whose task was lost is still caught, once."""
    if not has_ladder(council):
        return 0
    return (
        sweep_ratings(council=council)
        + sweep_plans(council=council)
        + sweep_safeguarding(council=council)
    )


@shared_task(name="concerns.triggers_sweep")
def triggers_sweep() -> int:
    """Every council's sweep in turn (one council's failure does not stop the others); how
    many alerts were raised."""
    raised = 0
    for council in tenants():
        try:
            raised += triggers_sweep_council(council.pk)
        except Exception:  # noqa: BLE001 - logged; the next night tries again
            log.exception("The escalation sweep failed for %s", council)
    return raised

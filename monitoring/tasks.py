"""Background work for monitoring. Tasks take ids, re-enter the council's scope and call one
service; all are safe to run twice."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from councils.models import Council
from monitoring.risk import risk_recompute
from monitoring.services import rating_changes_to_intelligence


@shared_task(name="monitoring.rating_changes_sweep")
def rating_changes_sweep() -> int:
    """Rating changes into each interested council's intelligence log; idempotent."""
    return rating_changes_to_intelligence()


@shared_task(name="monitoring.risk_recompute")
def risk_recompute_task(
    council_id: int, location_ids: list[int] | None = None, provider_id: int | None = None
) -> int:
    with scopes_disabled():
        council = Council.objects.select_related("active_policy").get(pk=council_id)
    with scope(council=council):
        return risk_recompute(council=council, location_ids=location_ids, provider_id=provider_id)


@shared_task(name="monitoring.risk_recompute_all")
def risk_recompute_all() -> int:
    """Nightly: every council's whole matrix (ratings age out of the window; overrides
    expire)."""
    changed = 0
    with scopes_disabled():
        councils = list(
            Council.objects.filter(is_active=True, active_policy__isnull=False).select_related(
                "active_policy"
            )
        )
    for council in councils:
        with scope(council=council):
            changed += risk_recompute(council=council)
    return changed

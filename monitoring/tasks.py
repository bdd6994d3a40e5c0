"""Background work for monitoring. Tasks take ids, re-enter the council's scope (`CouncilTask`)
and call one service; all are safe to run twice."""

import logging

from celery import shared_task

from core.tasks import later, tenants
from monitoring.services.intelligence import rating_changes_to_intelligence
from monitoring.services.risk import risk_recompute_task

log = logging.getLogger(__name__)

__all__ = ["rating_changes_sweep", "risk_recompute_all", "risk_recompute_task"]


@shared_task(name="monitoring.rating_changes_sweep")
def rating_changes_sweep() -> int:
    """Rating changes into each interested council's intelligence log; idempotent."""
    return rating_changes_to_intelligence()


@shared_task(name="monitoring.risk_recompute_all")
def risk_recompute_all() -> int:
    """Nightly: every council's whole matrix (ratings age out of the window; overrides
    expire). One council's failure does not stop the others."""
    changed = 0
    for council in tenants():
        try:
            changed += risk_recompute_task(council.pk)
        except Exception:  # noqa: BLE001 - logged; the next night tries again
            log.exception("The nightly risk recompute failed for %s", council)
    return changed


def ratings_changed(*, import_run_id: int, changes: int) -> None:
    """The register's ratings changed (providers' event): the councils' logs take them now
    rather than at the next sweep."""
    later(rating_changes_sweep)

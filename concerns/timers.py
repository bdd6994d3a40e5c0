"""Timer handlers this app keeps (rows in core.Timer, fired by the sweep)."""

from core.tasks import timer_handler


@timer_handler("concerns.requires_improvement_not_improved")
def requires_improvement_not_improved(timer) -> str:
    # 001 App. 2: Provider of Concern "when ... Require Improvements where improvements are
    # not evident or sustained within 12 weeks".
    from concerns.triggers import ri_timer_fired

    return ri_timer_fired(timer)

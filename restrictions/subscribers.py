"""What restrictions does when something changes elsewhere (connected in
`RestrictionsConfig.ready`): each queues a task for its cause."""

from restrictions.tasks import (
    list_circulate,
    shared_for_location,
    shared_received,
    suggest_from_alert,
)


def alert_raised(*, council_id: int, alert_id: int) -> None:
    """004 16.2, 16.3: a rule the pack maps to a restriction suggests one."""
    suggest_from_alert.enqueue(council_id, alert_id)


def restriction_shared(*, council_id: int, restriction_id: int, level: str) -> None:
    """Another council's restriction reached this one: intelligence, and maybe a trigger."""
    shared_received.enqueue(council_id, restriction_id, level)


def list_issued(*, council_id: int, issue_id: int) -> None:
    list_circulate.enqueue(council_id, issue_id)


def commissioning_saved(*, council_id: int, location_id: int) -> None:
    """The council commissions a service: what others share on it reaches it now."""
    shared_for_location.enqueue(council_id, location_id)

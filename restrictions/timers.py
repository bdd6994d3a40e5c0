"""What happens when a restriction's time limit falls due (registered in `ready()`)."""

from django.urls import reverse

from concerns.pack import Trigger
from concerns.services.alerts import alert_raise
from core.models import Timer
from core.timers import TimerSubject, timer_handler, timer_subject
from councils.policy import policy_of
from restrictions.models import Appeal, Restriction, Status
from restrictions.pack import Restrictions
from restrictions.services.effects import (
    APPEAL_DECISION,
    APPEAL_WINDOW,
    DEFAULT_NOTICE,
    HOLD,
    REVIEW,
    TELL_PROVIDER,
)


@timer_handler(DEFAULT_NOTICE, deadline=False)
def default_notice_due(timer: Timer) -> str:
    """004 20.2: "If the Provider has been on an Embargo for 6 months or more, Default Notice
    may be given": the officers are asked to consider it (an alert in their queue)."""
    r = Restriction.objects.select_related("provider", "location").get(pk=int(timer.subject_id))
    if r.status != Status.ACTIVE:
        return "the restriction is no longer in place"
    pack = Restrictions.of(timer.council)
    dn = pack.default_notice
    if dn is None or not policy_of(timer.council).has("escalation"):
        return "due: consider a Default Notice"
    trigger = Trigger(
        key="restriction_default_notice",
        label=f"{pack.level(r.level).label} in place for "
        f"{pack.policy.time_limit(dn.time_limit).in_words}",
        rule="restriction_default_notice",
        action="queue",
        suggest=dn.suggest or "Consider a Default Notice",
        seed=dn.seed,
    )
    alert = alert_raise(
        council=timer.council,
        trigger=trigger,
        cause=f"restriction:{r.pk}:{timer.cause}",
        detail=f"{r.reference}: {pack.level(r.level).label} on {r.subject_label} since "
        f"{r.level_since:%-d %B %Y}. {dn.quote}".strip(),
        location=r.location,
        provider=r.provider,
    )
    return "alert raised: consider a Default Notice" if alert else "already raised"


@timer_handler(HOLD, deadline=False)
def hold_ended(timer: Timer) -> str:
    return "the minimum time after compliance has passed: it may now be lifted"


@timer_handler(APPEAL_WINDOW, deadline=False)
def appeal_window_closed(timer: Timer) -> str:
    return "no appeal was recorded in time"


@timer_handler(TELL_PROVIDER)
def provider_not_told(timer: Timer) -> str:
    return "overdue: the provider has not been told in writing"


@timer_handler(REVIEW)
def review_overdue(timer: Timer) -> str:
    return "overdue: the restriction has not been reviewed"


@timer_handler(APPEAL_DECISION)
def appeal_decision_overdue(timer: Timer) -> str:
    appeal = Appeal.objects.filter(pk=int(timer.subject_id)).first()
    return "overdue: the appeal is not decided" if appeal else "the appeal is gone"


def _restrictions(*, council, ids) -> dict[str, tuple[str, str]]:
    rows = Restriction.objects.filter(council=council, pk__in=ids).select_related(
        "provider", "location"
    )
    return {
        str(r.pk): (f"{r.reference}, {r.subject_label}", reverse("restriction-detail", args=[r.pk]))
        for r in rows
    }


def _appeals(*, council, ids) -> dict[str, tuple[str, str]]:
    rows = Appeal.objects.filter(council=council, pk__in=ids).select_related(
        "restriction__provider", "restriction__location"
    )
    return {
        str(a.pk): (
            f"Appeal against {a.restriction.reference}, {a.restriction.subject_label}",
            reverse("restriction-detail", args=[a.restriction_id]),
        )
        for a in rows
    }


timer_subject(TimerSubject("restrictions.restriction", _restrictions))
timer_subject(TimerSubject("restrictions.appeal", _appeals))

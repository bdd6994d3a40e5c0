"""What follows when a restriction's level changes (put in place, changed, lifted), inside the
same transaction: its time limits as timers, whom to tell (requests for the letters issue),
what other councils see, the changes feed, and the case's ladder where the pack ties them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from concerns.pack import Ladder
from concerns.services.cases import apply_move, case_lock
from core.actors import person_of
from core.letters import letter_requested
from core.timers import timer_start, timers_end
from councils.models import Council
from providers.models import Location
from restrictions import events
from restrictions.models import (
    FeedEntry,
    Level,
    Notice,
    Restriction,
    RestrictionEvent,
    Share,
    Status,
)
from restrictions.pack import Restrictions
from restrictions.selectors.status import none_level, statuses

TELL_PROVIDER = "restrictions.tell_provider"
REVIEW = "restrictions.review"
DEFAULT_NOTICE = "restrictions.default_notice"
HOLD = "restrictions.hold_ends"
APPEAL_WINDOW = "restrictions.appeal_window"
APPEAL_DECISION = "restrictions.appeal_decision"


@dataclass(frozen=True)
class Change:
    restriction: Restriction
    pack: Restrictions
    from_level: str
    to_level: str
    on: dt.date
    event: RestrictionEvent
    actor: object
    recommendation: object = None

    @property
    def when(self) -> str:
        if self.to_level == Level.NONE:
            return "lifted"
        if self.from_level in ("", Level.NONE):
            return "imposed"
        return "changed"


def level_changed(change: Change) -> None:
    """Everything that follows a change of level, in the change's transaction."""
    _timers(change)
    _notices(change)
    _share(change)
    _case(change)
    events.restriction_changed.publish(
        council_id=change.restriction.council_id,
        restriction_id=change.restriction.pk,
        from_level=change.from_level or Level.NONE,
        to_level=change.to_level,
    )


# --- timers --------------------------------------------------------------------------------


def _owner(c: Change):
    """Who keeps the change's time limits: the officer who asked for it (told when they fall
    due), else the person who made it."""
    if c.recommendation is not None and getattr(c.recommendation, "proposed_by_id", None):
        return c.recommendation.proposed_by
    return person_of(c.actor)


def _timers(c: Change) -> None:
    r, pack, policy = c.restriction, c.pack, c.pack.policy
    council = r.council
    owner = _owner(c)
    if pack.tell_provider_within:
        # 004 19.1: "within five working days"; 19.5: the same when lifted or downgraded.
        limit = policy.time_limit(pack.tell_provider_within)
        timer_start(
            council=council,
            kind=TELL_PROVIDER,
            subject=r,
            due_on=policy.due(pack.tell_provider_within, c.on),
            starts_on=c.on,
            label=f"Tell the provider of the decision in writing ({limit.in_words})",
            seed=limit.seed,
            cause=f"event:{c.event.pk}",
            owner=owner,
            time_limit=pack.tell_provider_within,
        )
    if c.to_level == Level.NONE:
        timers_end(
            council=council,
            subject=r,
            kinds=[REVIEW, DEFAULT_NOTICE, HOLD],
            outcome="the restriction was lifted",
        )
        return
    restriction_review_timer(r)
    dn = pack.default_notice
    if dn is not None:
        if c.to_level in dn.levels and c.from_level not in dn.levels:
            limit = policy.time_limit(dn.time_limit)
            timer_start(
                council=council,
                kind=DEFAULT_NOTICE,
                subject=r,
                due_on=policy.due(dn.time_limit, c.on),
                starts_on=c.on,
                label=f"{pack.level(c.to_level).label} for {limit.in_words}: "
                "consider a Default Notice",
                seed=dn.seed,
                cause=f"level:{c.to_level}:{c.on.isoformat()}",
                owner=owner,
            )
        elif c.to_level not in dn.levels:
            timers_end(
                council=council,
                subject=r,
                kinds=[DEFAULT_NOTICE],
                outcome=f"now {pack.level(c.to_level).label}",
            )


def restriction_review_timer(r: Restriction) -> None:
    """The restriction's review date as a timer: one running at a time, for the date set."""
    cause = f"review:{r.review_on.isoformat()}" if r.review_on else ""
    timers_end(
        council=r.council,
        subject=r,
        kinds=[REVIEW],
        outcome="the review date changed",
        where=lambda t: t.cause != cause,
    )
    if r.review_on:
        timer_start(
            council=r.council,
            kind=REVIEW,
            subject=r,
            due_on=r.review_on,
            label="Review the restriction",
            seed="004 20.1",
            cause=cause,
        )


# --- whom to tell --------------------------------------------------------------------------


def _notices(c: Change) -> None:
    notices_request(restriction=c.restriction, pack=c.pack, when=c.when, on=c.on, event=c.event)


def notices_request(*, restriction, pack: Restrictions, when: str, on: dt.date, event, appeal=None):
    """A request for each audience the pack says to tell of this (004 19.1-19.5)."""
    policy = pack.policy
    due = policy.due(pack.tell_provider_within, on) if pack.tell_provider_within else None
    made = Notice.objects.bulk_create(
        Notice(
            council=restriction.council,
            restriction=restriction,
            appeal=appeal,
            event=event,
            when=when,
            audience=tell.audience,
            label=tell.label,
            letter=tell.letter,
            seed=tell.seed,
            due_on=due if tell.audience == "provider" else None,
        )
        for tell in pack.tells(when)
    )
    for notice in made:
        if notice.letter:
            letter_requested.publish(
                council_id=restriction.council_id,
                source="restrictions.notice",
                request_id=notice.pk,
            )


# --- what other councils see, and the feed --------------------------------------------------


def recipients(council: Council, pack: Restrictions) -> list[Council]:
    """The councils this council shares with (004 19.3; 001 App. 3): every other active
    council, or those its pack names."""
    if pack.sharing is None:
        return []
    qs = Council.objects.filter(is_active=True).exclude(pk=council.pk)
    if not pack.sharing.with_all:
        qs = qs.filter(code__in=pack.sharing.with_codes)
    return list(qs.select_related("active_policy"))


def affected_locations(r: Restriction) -> list[tuple[int, int]]:
    """(location, provider) pairs the restriction covers: one location, or every service of
    the provider (004 18.4)."""
    if r.location_id is not None:
        return [(r.location_id, r.provider_id)]
    return list(Location.objects.filter(provider_id=r.provider_id).values_list("pk", "provider_id"))


def _share(c: Change) -> None:
    r, pack = c.restriction, c.pack
    shares_now = (
        r.status == Status.ACTIVE and pack.sharing is not None and pack.sharing.shares(r.level)
    )
    open_shares = {
        s.council_id: s for s in Share.objects.filter(restriction=r, ended_at__isnull=True)
    }
    seen_by: list[Council] = []
    if shares_now:
        wanted = recipients(r.council, pack)
        Share.objects.bulk_create(
            Share(council=council, restriction=r)
            for council in wanted
            if council.pk not in open_shares
        )
        for council in wanted:
            events.restriction_shared.publish(
                council_id=council.pk, restriction_id=r.pk, level=r.level
            )
        seen_by = wanted
    elif open_shares:
        Share.objects.filter(pk__in=[s.pk for s in open_shares.values()]).update(
            ended_at=timezone.now()
        )
        seen_by = list(Council.objects.filter(pk__in=open_shares).select_related("active_policy"))
    if r.shared != shares_now:
        r.shared = shares_now
        Restriction.objects.filter(pk=r.pk).update(shared=shares_now)
    feed_write(restriction=r, seen_by=seen_by)


def feed_refresh(restriction: Restriction) -> None:
    """Its contact, exceptions or review date changed: the councils that see it are told
    (their placement status answers change), at the same level."""
    seen_by = list(
        Council.objects.filter(
            pk__in=Share.objects.filter(restriction=restriction, ended_at__isnull=True).values(
                "council_id"
            )
        ).select_related("active_policy")
    )
    feed_write(restriction=restriction, seen_by=seen_by)


def feed_write(*, restriction: Restriction, seen_by: list[Council]) -> None:
    """The changes feed: for the council and each council that sees (or saw) it, each covered
    location's status now, as that council sees it (the latest entry for a location and a
    council whose it is stands until the next)."""
    owner = restriction.council
    pairs = affected_locations(restriction)
    if not pairs:
        return
    # A council's own services (outside CQC's register) are in its feed only.
    owned = dict(
        Location.objects.filter(
            pk__in=[lid for lid, _ in pairs], owner_council__isnull=False
        ).values_list("pk", "owner_council_id")
    )
    rows = []
    for reader in [owner, *seen_by]:
        seen = [p for p in pairs if owned.get(p[0], reader.pk) == reader.pk]
        if not seen:
            continue
        for lid, status in statuses(council=reader, locations=seen).items():
            if reader.pk == owner.pk:
                standing = status.own
                label = status.label
            else:
                standing = next((s for s in status.others if s.council_id == owner.pk), None)
                label = standing.label if standing else _none_label(owner)
            rows.append(
                FeedEntry(
                    council=reader,
                    location_id=lid,
                    by_council=owner,
                    restriction=restriction,
                    level=standing.level if standing else Level.NONE,
                    label=label,
                    since=standing.since if standing else restriction.ended_on,
                )
            )
    FeedEntry.objects.bulk_create(rows, batch_size=1000)


def _none_label(council: Council) -> str:
    return none_level(council).label


# --- the case's ladder -----------------------------------------------------------------------


def _case(c: Change) -> None:
    """Where the pack ties the ladder to restrictions (004: the case is at "Restriction on
    commissioning" while one is in place), the case makes the pack's move, recorded with the
    decision behind it."""
    r = c.restriction
    key = c.pack.case_moves.get("lifted" if c.to_level == Level.NONE else "imposed")
    if not key or r.case_id is None or c.when == "changed":
        return
    case = case_lock(r.case_id)
    ladder = Ladder.of(case.council)
    move = ladder.move(key)
    if move is None or case.stage not in move.sources:
        return
    apply_move(
        case=case,
        move=move,
        ladder=ladder,
        actor=c.actor,
        reason=f"{r.reference}: {c.event.get_kind_display()}. {c.event.reason}".strip(),
        evidence=[],
        details={"restriction": r.reference, "level": c.to_level},
        recommendation=c.recommendation,
        on=c.on,
    )

"""A restriction another council shares, as the council that sees it takes it in: intelligence
on each of its services the council commissions or has in its area (the source "another
council"), and, where its pack makes that a trigger, a suggested restriction of its own (004
16.2: "the Local Authority in which they are based has put an embargo/red rating on them";
16.3 the same for place with caution / amber)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from councils.policy import policy_of
from monitoring.models import Source
from monitoring.pack import intelligence_rules
from monitoring.selectors import locations_in_scope
from monitoring.services import intelligence_record
from restrictions.models import Level, Share
from restrictions.pack import Restrictions
from restrictions.selectors.status import Standing, statuses
from restrictions.services.proposals import restriction_suggest


def _severity(council, level: str) -> str:
    ranked = sorted(intelligence_rules(council).severities.values(), key=lambda s: s.weight)
    if not ranked:
        return ""
    return ranked[-1].key if level != Level.CAUTION or len(ranked) < 2 else ranked[-2].key


def shared_restriction_received(*, council, restriction_id: int, level: str) -> int:
    """Take in a shared restriction (safe to run twice: intelligence is kept once per
    restriction and level, a suggestion once per service). How many services it reached."""
    share = (
        Share.objects.filter(council=council, restriction_id=restriction_id, ended_at__isnull=True)
        .select_related(
            "restriction__council__active_policy", "restriction__provider", "restriction__location"
        )
        .first()
    )
    if share is None or share.restriction.level != level:
        return 0  # lifted, unshared or changed meanwhile: a later event carries the change
    r = share.restriction
    owner = r.council
    in_scope = locations_in_scope(council).filter(provider_id=r.provider_id)
    if r.location_id is not None:
        in_scope = in_scope.filter(pk=r.location_id)
    locations = list(in_scope.select_related("provider"))
    if not locations:
        return 0
    standing: dict[int, Standing | None] = {
        lid: next((s for s in st.others if s.council_id == owner.pk), None)
        for lid, st in statuses(
            council=council, locations=[(loc.pk, loc.provider_id) for loc in locations]
        ).items()
    }
    pack = Restrictions.of(council) if policy_of(council).has("restrictions") else None
    rule = pack.proposal_for_shared(level) if pack else None
    owner_areas = set(policy_of(owner).local_authorities)
    today = timezone.localdate()
    for loc in locations:
        shown = standing.get(loc.pk)
        words = shown.label if shown else level
        since = f" since {shown.since:%-d %B %Y}" if shown and shown.since else ""
        narrative = (
            f"{owner} has put “{words}” on "
            f"{'all of ' + r.provider.name + ' services' if r.location_id is None else loc.name}"
            f"{since} ({r.reference}). {shown.placing if shown else ''}".strip()
        )
        intelligence_record(
            council=council,
            actor=None,
            source=Source.OTHER_COUNCIL,
            received_on=today,
            severity=_severity(council, level),
            narrative=narrative,
            location=loc,
            external_ref=f"share:{r.pk}:{level}:{loc.pk}",
        )
        if rule is not None and (not rule.host_only or loc.local_authority in owner_areas):
            restriction_suggest(
                council=council,
                level=rule.propose,
                location=loc,
                provider=loc.provider,
                reason=f"{narrative}\n\n{rule.quote}".strip(),
                origin=f"Shared by {owner} ({r.reference}); {rule.seed}",
            )
    return len(locations)


def shared_restrictions_received_for(*, council, location_id: int) -> int:
    """The council now commissions this service: the restrictions others share on it reach
    it as they would have when shared (004 16.2). How many."""
    shares = (
        Share.objects.filter(council=council, ended_at__isnull=True, restriction__status="active")
        .filter(
            Q(restriction__location_id=location_id)
            | Q(restriction__location__isnull=True, restriction__provider__locations=location_id)
        )
        .select_related("restriction")
    )
    count = 0
    for share in shares:
        shared_restriction_received(
            council=council, restriction_id=share.restriction_id, level=share.restriction.level
        )
        count += 1
    return count

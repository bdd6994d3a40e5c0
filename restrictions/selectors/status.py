"""The placement status of locations as one council sees them: its own restrictions in place
(on the location, or on all of its provider's services: 004 18.4) and those other councils
share with it (004 7.4-7.8; 001 App. 3), each in the words and colours of the council whose it
is. Two queries for any number of locations: this is the hot path of the placement check, the
location banner, the search and risk columns and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django_scopes import scopes_disabled

from councils.models import Council
from councils.policy import policy_of, policy_of_version_id
from restrictions.models import LEVEL_ORDER, Level, Restriction, Share, Status
from restrictions.pack import LevelDef, Restrictions


@dataclass(frozen=True)
class Standing:
    """One council's restriction on a location, as shown."""

    council_id: int
    council_name: str
    restriction_id: int
    reference: str
    level: str
    label: str
    colour: str
    placing: str
    since: dt.date | None
    whole_provider: bool
    exceptions: str = ""
    review_on: dt.date | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""

    @property
    def rank(self) -> int:
        return LEVEL_ORDER.index(self.level)


@dataclass
class PlacementStatus:
    """A location's status for one council: its own standing (None: no restriction, shown
    as `none`, in its words) and what other councils share."""

    location_id: int
    none: LevelDef
    own: Standing | None = None
    others: list[Standing] = field(default_factory=list)

    @property
    def level(self) -> str:
        return self.own.level if self.own else Level.NONE

    @property
    def label(self) -> str:
        return self.own.label if self.own else self.none.label

    @property
    def colour(self) -> str:
        return self.own.colour if self.own else self.none.colour

    @property
    def restricted(self) -> bool:
        return self.own is not None

    @property
    def worst_other(self) -> Standing | None:
        return max(self.others, key=lambda s: s.rank, default=None)


def _words(version_id: int | None) -> Restrictions | None:
    if version_id is None:
        return None
    policy = policy_of_version_id(version_id)
    return policy.section("restrictions") if policy.has("restrictions") else None


def none_level(council: Council) -> LevelDef:
    """What "no restriction" is called in this council (004 13.2: "No Restrictions on
    Placements")."""
    policy = policy_of(council)
    if policy.has("restrictions"):
        return policy.section("restrictions").level(Level.NONE)
    return LevelDef(key=Level.NONE, label=Level.NONE.label, colour="green", placing="")


def _standing(r: dict, words: Restrictions | None, *, own: bool) -> Standing:
    """A restriction's row (`FIELDS`, read as values: no model is built on the hot path)."""
    level = (
        words.level(r["level"])
        if words
        else LevelDef(key=r["level"], label=Level(r["level"]).label, colour="grey", placing="")
    )
    return Standing(
        council_id=r["council_id"],
        council_name=r["council__short_name"] or r["council__name"],
        restriction_id=r["id"],
        reference=r["reference"],
        level=r["level"],
        label=level.label,
        colour=level.colour,
        placing=level.placing,
        since=r["level_since"],
        whole_provider=r["location_id"] is None,
        exceptions=r["exceptions"] or level.exceptions,
        review_on=r["review_on"] if own else None,
        contact_name=r["contact_name"],
        contact_phone=r["contact_phone"],
        contact_email=r["contact_email"],
    )


def _covering(location_ids, provider_ids) -> Q:
    return Q(location_id__in=location_ids) | Q(location__isnull=True, provider_id__in=provider_ids)


FIELDS = (
    "id",
    "council_id",
    "council__name",
    "council__short_name",
    "council__active_policy_id",
    "reference",
    "provider_id",
    "location_id",
    "level",
    "level_since",
    "review_on",
    "exceptions",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def statuses(
    *, council: Council, locations: Iterable[tuple[int, int]]
) -> dict[int, PlacementStatus]:
    """{location id: status} for (location id, provider id) pairs, in one query: the
    restrictions in place on those services or their providers that are the council's own or
    shared with it (the only rows read across councils, and only through that condition)."""
    pairs = list(locations)
    location_ids = {lid for lid, _ in pairs}
    provider_ids = {pid for _, pid in pairs}
    none = none_level(council)
    out = {lid: PlacementStatus(location_id=lid, none=none) for lid in location_ids}
    if not pairs:
        return out
    by_provider: dict[int, list[int]] = {}
    for lid, pid in pairs:
        by_provider.setdefault(pid, []).append(lid)

    def covered(r) -> list[int]:
        if r["location_id"] is not None:
            return [r["location_id"]] if r["location_id"] in location_ids else []
        return by_provider.get(r["provider_id"], [])

    shared_here = Share.objects.filter(
        council_id=council.pk, ended_at__isnull=True, restriction_id=OuterRef("pk")
    )
    with scopes_disabled():
        rows = list(
            Restriction.objects.filter(_covering(location_ids, provider_ids), status=Status.ACTIVE)
            .filter(Q(council_id=council.pk) | Exists(shared_here))
            .values(*FIELDS)
        )
    for r in rows:
        own = r["council_id"] == council.pk
        standing = _standing(r, _words(r["council__active_policy_id"]), own=own)
        for lid in covered(r):
            status = out[lid]
            if own:
                current = status.own
                if current is None or (standing.rank, not standing.whole_provider) > (
                    current.rank,
                    not current.whole_provider,
                ):
                    status.own = standing
                continue
            same = next(
                (i for i, o in enumerate(status.others) if o.council_id == r["council_id"]),
                None,
            )
            if same is None:
                status.others.append(standing)
            elif standing.rank > status.others[same].rank:
                status.others[same] = standing
    for status in out.values():
        status.others.sort(key=lambda s: (-s.rank, s.council_name))
    return out


def status_of(*, council: Council, location) -> PlacementStatus:
    return statuses(council=council, locations=[(location.pk, location.provider_id)])[location.pk]

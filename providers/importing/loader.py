"""Applies read records to the national register in batches, idempotently: re-importing the
same data changes nothing; a new report adds a rating row and a RatingChange event."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import Q

from providers.importing.records import (
    LocationRecord,
    Problem,
    ProviderRecord,
    RatingRecord,
    name_key,
    postcode_key,
)
from providers.models import (
    ImportRun,
    Location,
    Provider,
    Rating,
    RatingChange,
    Regulator,
    ServiceType,
)

BATCH_SIZE = 2000
RATING_FIELDS = ("overall", "safe", "effective", "caring", "responsive", "well_led")


@dataclass
class Counts:
    providers_created: int = 0
    locations_created: int = 0
    locations_updated: int = 0
    unchanged: int = 0
    ratings_added: int = 0
    rating_changes: int = 0
    problems: list[Problem] = field(default_factory=list)

    def as_fields(self) -> dict[str, int]:
        """The counts as the import run's fields (an import's report, a sync's progress)."""
        return {
            "providers_created": self.providers_created,
            "locations_created": self.locations_created,
            "locations_updated": self.locations_updated,
            "unchanged": self.unchanged,
            "ratings_added": self.ratings_added,
            "rating_changes": self.rating_changes,
        }


def fit(model, values: dict) -> dict:
    """Texts cut to their column's length: a source's overlong value (CQC's included) is kept
    shortened rather than failing its whole batch."""
    out = {}
    for key, value in values.items():
        limit = getattr(model._meta.get_field(key), "max_length", None)
        out[key] = value[:limit] if isinstance(value, str) and limit else value
    return out


def source_key(record: LocationRecord, owner=None) -> str:
    """Identity of a location without a CQC ID: its provider, name and postcode; a council's
    own location's is that council's alone, so two councils' lists never meet."""
    provider = record.cqc_provider_id or name_key(record.provider_name or "")
    return "|".join(
        ([f"council:{owner.pk}"] if owner is not None else [])
        + [
            provider,
            name_key(record.fields.get("name", "")),
            postcode_key(record.fields.get("postcode", "")),
        ]
    )


class RegisterLoader:
    """Applies records to the register. With `owner` (a council), it writes only that
    council's own locations and providers (services outside CQC's register): it finds
    national providers by CQC ID or name to link to, and never changes them."""

    def __init__(self, *, run: ImportRun | None = None, owner=None):
        self.run = run
        self.owner = owner
        self.counts = Counts()
        # The location each applied record landed on, by row (for the council's own records).
        self.located: dict[int, Location] = {}
        self.reset_caches()

    def reset_caches(self) -> None:
        """Known service types; again after a rolled-back batch (it may have made some)."""
        self._service_types: dict[str, ServiceType] = {
            st.name: st for st in ServiceType.objects.all()
        }

    # -- providers ----------------------------------------------------------------------------

    def apply_providers(self, records: list[ProviderRecord]) -> None:
        seen: dict[str, ProviderRecord] = {}
        for record in records:
            if record.cqc_provider_id in seen:
                self.counts.problems.append(
                    Problem(
                        row=record.row,
                        reason=f"duplicate of record {seen[record.cqc_provider_id].row}",
                        identifier=record.cqc_provider_id,
                    )
                )
                continue
            seen[record.cqc_provider_id] = record
        unique = list(seen.values())
        for start in range(0, len(unique), BATCH_SIZE):
            with transaction.atomic():
                self._provider_batch(unique[start : start + BATCH_SIZE])

    def _provider_batch(self, records: list[ProviderRecord]) -> None:
        existing = {
            p.cqc_provider_id: p
            for p in Provider.objects.filter(
                cqc_provider_id__in=[r.cqc_provider_id for r in records]
            )
        }
        new, changed, changed_fields = [], [], set()
        for record in records:
            values = fit(Provider, {**record.fields, "name_key": name_key(record.fields["name"])})
            provider = existing.get(record.cqc_provider_id)
            if provider is None:
                new.append(Provider(cqc_provider_id=record.cqc_provider_id, **values))
                continue
            diff = {k: v for k, v in values.items() if getattr(provider, k) != v}
            if diff:
                for k, v in diff.items():
                    setattr(provider, k, v)
                changed.append(provider)
                changed_fields.update(diff)
        Provider.objects.bulk_create(new, batch_size=1000)
        if changed:
            Provider.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}), 1000)
        self.counts.providers_created += len(new)

    def _providers_for(self, records: list[LocationRecord]) -> dict:
        """Provider row for each record: by CQC provider ID, else by normalised name (so a
        council spreadsheet without IDs still groups one provider's homes together). For a
        council's own records, an unknown CQC provider ID falls back to the name, and a new
        provider is the council's own."""
        owner = self.owner
        by_id = {r.cqc_provider_id for r in records if r.cqc_provider_id}
        id_map = {
            p.cqc_provider_id: p
            for p in Provider.objects.filter(cqc_provider_id__in=by_id, owner_council=None)
        }
        if owner is not None:
            records = [
                r
                if not r.cqc_provider_id or r.cqc_provider_id in id_map
                else replace(r, cqc_provider_id=None)
                for r in records
            ]
        by_name = {
            name_key(r.provider_name) for r in records if not r.cqc_provider_id and r.provider_name
        }
        name_map: dict[str, Provider] = {}
        if by_name:
            visible = (
                Q(owner_council=None)
                if owner is None
                else Q(owner_council=owner) | Q(owner_council=None, cqc_provider_id__isnull=False)
            )
            for p in Provider.objects.filter(visible, name_key__in=by_name).order_by(
                "cqc_provider_id", "id"
            ):
                name_map.setdefault(p.name_key, p)
        new_providers = []
        for r in records:
            if r.cqc_provider_id:
                provider = id_map.get(r.cqc_provider_id)
                if provider is None:
                    provider = Provider(
                        cqc_provider_id=r.cqc_provider_id,
                        name=r.provider_name or "",
                        name_key=name_key(r.provider_name or ""),
                    )
                    id_map[r.cqc_provider_id] = provider
                    new_providers.append(provider)
                elif owner is None and not provider.name and r.provider_name:
                    provider.name, provider.name_key = r.provider_name, name_key(r.provider_name)
                    provider.save(update_fields=["name", "name_key", "updated_at"])
            elif r.provider_name:
                key = name_key(r.provider_name)
                if key not in name_map:
                    provider = Provider(name=r.provider_name, name_key=key, owner_council=owner)
                    name_map[key] = provider
                    new_providers.append(provider)
        Provider.objects.bulk_create(new_providers, batch_size=1000)
        self.counts.providers_created += len(new_providers)
        out = {}
        for r in records:
            if r.cqc_provider_id:
                out[r.row] = id_map[r.cqc_provider_id]
            elif r.provider_name:
                out[r.row] = name_map[name_key(r.provider_name)]
        return out

    # -- locations ----------------------------------------------------------------------------

    def apply_locations(self, records: list[LocationRecord], progress: Callable | None = None):
        unique, seen = [], {}
        for record in records:
            ident = record.cqc_location_id or "local:" + source_key(record, self.owner)
            if ident in seen:
                self.counts.problems.append(
                    Problem(
                        row=record.row,
                        reason=f"duplicate of row {seen[ident]}",
                        identifier=record.identifier[:100],
                    )
                )
                continue
            seen[ident] = record.row
            unique.append(record)
        done = 0
        for start in range(0, len(unique), BATCH_SIZE):
            batch = unique[start : start + BATCH_SIZE]
            with transaction.atomic():
                self._location_batch(batch)
            done += len(batch)
            if progress:
                progress(done)

    def _location_batch(self, records: list[LocationRecord]) -> None:
        cqc_ids = [r.cqc_location_id for r in records if r.cqc_location_id]
        keys = {r.row: source_key(r, self.owner) for r in records if not r.cqc_location_id}
        existing_by_id = {
            loc.cqc_location_id: loc for loc in Location.objects.filter(cqc_location_id__in=cqc_ids)
        }
        existing_by_key = (
            {loc.source_key: loc for loc in Location.objects.filter(source_key__in=keys.values())}
            if keys
            else {}
        )

        def existing(r):
            if r.cqc_location_id:
                return existing_by_id.get(r.cqc_location_id)
            return existing_by_key.get(keys[r.row])

        # A provider is needed for a new location, or to move one to the provider a CQC ID
        # names; a row for a known location never creates a provider by its spelling of a name.
        providers = self._providers_for(
            [r for r in records if r.cqc_provider_id or existing(r) is None]
        )
        new_locations: list[tuple[LocationRecord, Location]] = []
        matched: list[tuple[LocationRecord, Location, set]] = []
        for r in records:
            loc = existing(r)
            provider = providers.get(r.row)
            if loc is None:
                if provider is None:
                    self.counts.problems.append(
                        Problem(r.row, "a new location needs its provider", r.identifier[:100])
                    )
                    continue
                loc = Location(
                    provider=provider,
                    owner_council=self.owner,
                    cqc_location_id=r.cqc_location_id,
                    source_key=None if r.cqc_location_id else keys[r.row],
                    regulator=_regulator_of(r),
                    postcode_key=postcode_key(r.fields.get("postcode", "")),
                    **fit(Location, r.fields),
                )
                latest = _latest(r.ratings)
                if latest is not None:  # set now: never an update of a row just inserted
                    loc.overall_rating, loc.rating_date = latest.overall, latest.report_date
                new_locations.append((r, loc))
                continue
            changed = set()
            for k, v in fit(Location, r.fields).items():
                if getattr(loc, k) != v:
                    setattr(loc, k, v)
                    changed.add(k)
            if "postcode" in changed:
                loc.postcode_key = postcode_key(loc.postcode)
                changed.add("postcode_key")
            if provider is not None and r.cqc_provider_id and loc.provider_id != provider.pk:
                loc.provider = provider
                changed.add("provider")
            matched.append((r, loc, changed))
            self.located[r.row] = loc

        Location.objects.bulk_create([loc for _, loc in new_locations], batch_size=1000)
        self.counts.locations_created += len(new_locations)
        self.located.update({r.row: loc for r, loc in new_locations})

        types_changed = self._apply_service_types(new_locations, matched)
        touched_ratings, rating_updates = self._apply_ratings(
            [(r, loc, True) for r, loc in new_locations]
            + [(r, loc, False) for r, loc, _ in matched]
        )

        to_update, update_fields = [], set()
        for _r, loc, changed in matched:
            if loc.pk in rating_updates:
                changed |= {"overall_rating", "rating_date"}
            if changed:
                to_update.append(loc)
                update_fields |= changed
            if changed or loc.pk in types_changed or loc.pk in touched_ratings:
                self.counts.locations_updated += 1
            else:
                self.counts.unchanged += 1
        if to_update:
            Location.objects.bulk_update(to_update, sorted(update_fields | {"updated_at"}), 1000)

    def _service_type(self, name: str, description: str) -> ServiceType:
        st = self._service_types.get(name)
        if st is None:
            st, _ = ServiceType.objects.get_or_create(
                name=name, defaults={"description": description}
            )
            self._service_types[name] = st
        return st

    def _apply_service_types(self, new_locations, matched) -> set[int]:
        through = Location.service_types.through
        changed_ids: set[int] = set()
        wanted: dict[int, set[int]] = {}
        for r, loc in new_locations:
            if r.service_types:
                wanted[loc.pk] = {self._service_type(n, d).pk for n, d in r.service_types}
        existing_pairs: dict[int, set[int]] = {}
        matched_with_types = [(r, loc) for r, loc, _ in matched if r.service_types is not None]
        if matched_with_types:
            for loc_id, st_id in through.objects.filter(
                location_id__in=[loc.pk for _, loc in matched_with_types]
            ).values_list("location_id", "servicetype_id"):
                existing_pairs.setdefault(loc_id, set()).add(st_id)
        remove = []
        for r, loc in matched_with_types:
            target = {self._service_type(n, d).pk for n, d in r.service_types}
            current = existing_pairs.get(loc.pk, set())
            if target != current:
                changed_ids.add(loc.pk)
                wanted[loc.pk] = target - current
                remove.extend((loc.pk, st) for st in current - target)
        if remove:
            for loc_id, st_id in remove:
                through.objects.filter(location_id=loc_id, servicetype_id=st_id).delete()
        through.objects.bulk_create(
            [
                through(location_id=lid, servicetype_id=st)
                for lid, sts in wanted.items()
                for st in sts
            ],
            batch_size=2000,
        )
        return changed_ids

    def _apply_ratings(self, items) -> tuple[set[int], set[int]]:
        """Add ratings not yet kept; update each location's latest rating; record a
        RatingChange where a location already on the register has a new latest report."""
        location_ids = [loc.pk for r, loc, _ in items if r.ratings] + [
            loc.pk for r, loc, is_new in items if not is_new and not r.ratings
        ]
        existing: dict[int, list[Rating]] = {}
        if location_ids:
            for rating in Rating.objects.filter(
                location_id__in=[loc.pk for r, loc, is_new in items if not is_new]
            ):
                existing.setdefault(rating.location_id, []).append(rating)
        new_ratings: list[tuple[Location, bool, Rating]] = []
        completed: list[Rating] = []
        for r, loc, is_new in items:
            kept = {
                (x.regulator, x.report_date, x.report_link_id): x for x in existing.get(loc.pk, [])
            }
            by_date = {(x.regulator, x.report_date): x for x in existing.get(loc.pk, [])}
            for rr in r.ratings:
                same_day = by_date.get((rr.regulator, rr.report_date))
                if rr.key in kept:
                    continue
                if same_day is not None and not (rr.report_link_id and same_day.report_link_id):
                    # The same report from a source without link ids (the directory with
                    # ratings): one row, completed with the fuller source's details.
                    if rr.report_link_id and not same_day.report_link_id:
                        same_day.report_link_id = rr.report_link_id
                        for f in RATING_FIELDS:
                            setattr(same_day, f, getattr(rr, f) or getattr(same_day, f))
                        completed.append(same_day)
                    continue
                rating = self._rating(loc, rr)
                new_ratings.append((loc, is_new, rating))
                kept[rr.key] = rating
                by_date[(rr.regulator, rr.report_date)] = rating
        if completed:
            Rating.objects.bulk_update(completed, ["report_link_id", *RATING_FIELDS], 1000)
        Rating.objects.bulk_create([x for _, _, x in new_ratings], batch_size=2000)
        self.counts.ratings_added += len(new_ratings)
        touched = {loc.pk for loc, _, _ in new_ratings}
        rating_updates: set[int] = set()
        changes = []
        by_location: dict[int, list[Rating]] = {}
        for loc, _, rating in new_ratings:
            by_location.setdefault(loc.pk, []).append(rating)
        locations = {loc.pk: (loc, is_new) for _, loc, is_new in items}
        for loc_id, added in by_location.items():
            loc, is_new = locations[loc_id]
            before = existing.get(loc_id, [])
            previous = max(before, key=_recency, default=None)
            latest = max(before + added, key=_recency)
            if not is_new and any(latest is a for a in added):
                loc.overall_rating, loc.rating_date = latest.overall, latest.report_date
                rating_updates.add(loc_id)
                changes.append(
                    RatingChange(
                        location_id=loc_id,
                        previous=previous,
                        current=latest,
                        previous_overall=previous.overall if previous else "",
                        current_overall=latest.overall,
                        import_run=self.run,
                    )
                )
        RatingChange.objects.bulk_create(changes, batch_size=1000, ignore_conflicts=True)
        self.counts.rating_changes += len(changes)
        return touched, rating_updates

    @staticmethod
    def _rating(loc: Location, rr: RatingRecord) -> Rating:
        return Rating(
            location=loc,
            regulator=rr.regulator,
            report_date=rr.report_date,
            report_link_id=rr.report_link_id,
            **{f: getattr(rr, f) for f in RATING_FIELDS},
        )


def _recency(rating: Rating):
    return (rating.report_date, rating.pk or 0)


def _latest(ratings: list[RatingRecord]) -> RatingRecord | None:
    """The latest report of a new location: by date, the later in the source on a tie (as
    its rows are then created in that order)."""
    if not ratings:
        return None
    return max(enumerate(ratings), key=lambda pair: (pair[1].report_date, pair[0]))[1]


def _regulator_of(record: LocationRecord) -> str:
    """CQC for a CQC ID; the source's regulator for a service it rates (Ofsted); otherwise
    not regulated (000 1.ii: 16+ semi-independent provision)."""
    if record.cqc_location_id:
        return Regulator.CQC
    return Regulator.OFSTED if record.regulator == Regulator.OFSTED else Regulator.NONE

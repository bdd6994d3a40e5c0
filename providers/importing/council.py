"""A council's own spreadsheet changes only that council's records (issue 11, finding 1: one
council's file renamed shared locations and changed a CQC rating every council saw).

- A row naming a CQC location on the national register updates the council's `LocalRecord` of
  it: the name the council knows it by, contacts, contract reference, its own assessment. The
  register's record of the location is never touched.
- A row naming a CQC location not on the register is a problem: the register takes it from
  CQC, and the row can be imported again then.
- A row without a CQC ID is a service outside CQC's register (000 1.ii: 16+ semi-independent
  provision): added, or updated, as the council's own location, seen only by that council.
- A rating the sheet brings is the council's own assessment, kept on its `LocalRecord`, never
  a regulator's `Rating`: no council is told of a "rating change" from a spreadsheet."""

from collections.abc import Callable
from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from providers.importing.loader import BATCH_SIZE, RegisterLoader
from providers.importing.records import LocationRecord, Problem
from providers.models import LOCAL_FIELDS, ImportRun, LocalRecord, Location


class CouncilSheetLoader:
    def __init__(self, *, run: ImportRun, council):
        self.run, self.council = run, council
        self.register = RegisterLoader(run=run, owner=council)
        self.counts = self.register.counts
        self.local_records = 0

    def apply(self, records: list[LocationRecord], progress: Callable | None = None) -> None:
        national = [r for r in records if r.cqc_location_id]
        own = [r for r in records if not r.cqc_location_id]
        done = 0
        seen: dict[str, int] = {}
        for start in range(0, len(national), BATCH_SIZE):
            batch = []
            for r in national[start : start + BATCH_SIZE]:
                if r.cqc_location_id in seen:
                    self.counts.problems.append(
                        Problem(r.row, f"duplicate of row {seen[r.cqc_location_id]}", r.identifier)
                    )
                    continue
                seen[r.cqc_location_id] = r.row
                batch.append(r)
            with transaction.atomic():
                self._national_batch(batch)
            done += len(batch)
            if progress:
                progress(done)
        # The council's own services: the register loader, in the council's name, without the
        # ratings (which are the council's assessments, kept below).
        self.register.apply_locations([replace(r, ratings=[]) for r in own])
        with transaction.atomic():
            self._keep_local(
                [(r, self.register.located[r.row]) for r in own if r.row in self.register.located]
            )
        if progress and own:
            progress(len(records))

    def _national_batch(self, records: list[LocationRecord]) -> None:
        found = {
            loc.cqc_location_id: loc
            for loc in Location.objects.filter(
                cqc_location_id__in=[r.cqc_location_id for r in records], owner_council=None
            ).only("pk", "cqc_location_id", "name")
        }
        items = []
        for r in records:
            loc = found.get(r.cqc_location_id)
            if loc is None:
                self.counts.problems.append(
                    Problem(
                        r.row,
                        f"CQC location {r.cqc_location_id} is not on the national register yet: "
                        "the register takes it from CQC, and this row can be imported again then",
                        r.cqc_location_id,
                    )
                )
                continue
            items.append((r, loc))
        self._keep_local(items, national=True)

    def _keep_local(self, items: list[tuple[LocationRecord, Location]], national=False) -> None:
        if not items:
            return
        existing = {
            rec.location_id: rec
            for rec in LocalRecord.objects.filter(
                council=self.council, location_id__in=[loc.pk for _, loc in items]
            )
        }
        new, changed, now = [], [], timezone.now()
        for r, loc in items:
            values = dict(r.local)
            name = r.fields.get("name", "")
            if national and name and name != loc.name:
                values["local_name"] = name[:300]
            if r.ratings:
                latest = max(r.ratings, key=lambda x: x.report_date)
                values["assessed_rating"], values["assessed_on"] = (
                    latest.overall,
                    latest.report_date,
                )
            record = existing.get(loc.pk)
            if record is None:
                # A national location on the council's list gets a record even when the row
                # brings nothing more: the council keeps it.
                if values or national:
                    new.append(
                        LocalRecord(
                            council=self.council, location=loc, import_run=self.run, **values
                        )
                    )
                continue
            diff = {k: v for k, v in values.items() if getattr(record, k) != v}
            if diff:
                for k, v in diff.items():
                    setattr(record, k, v)
                record.import_run, record.updated_at = self.run, now
                changed.append(record)
            elif national:
                self.counts.unchanged += 1
        LocalRecord.objects.bulk_create(new, batch_size=1000)
        if changed:
            LocalRecord.objects.bulk_update(
                changed, [*LOCAL_FIELDS, "import_run", "updated_at"], batch_size=1000
            )
        self.local_records += len(new) + len(changed)

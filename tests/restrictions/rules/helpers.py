"""People, dates and checks shared by the service-level tests of restrictions (this folder).

The councils' people hold the posts their packs name (004: the SRM, the SM, the Head of
Commissioning, the Service Director of Adult Social Care; 003: the Designated SCC manager;
001: the DASS). `Clock` moves "today" (django.utils.timezone.now, which localdate reads) for
the dates the seeds are about; `refused` checks that a refused call wrote nothing at all."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace

import holidays
import pytest
from django.utils import timezone

from concerns.models import Alert, Case, CaseMove
from core.models import AuditEntry, Timer
from councils.models import Role
from decisions.models import DecisionStep, Recommendation
from decisions.services import recommendation_act
from monitoring.models import Commissioning, Intelligence
from restrictions.models import (
    Appeal,
    FeedEntry,
    ListIssue,
    Notice,
    PlacementCheck,
    Restriction,
    RestrictionEvent,
    Share,
)
from restrictions.services import restriction_propose
from restrictions.services.common import THIS_SERVICE, WHOLE_PROVIDER
from tests.factories import LocationFactory, ProviderFactory

CQC_LINK = "https://www.cqc.org.uk/location/1-000000001"

# 004 posts
SRM = "Supplier Relationship Manager"
SM = "Service Manager"
HOC = "Head of Commissioning"
SD = "Service Director of Adult Social Care"
# 003 2.6
DESIGNATED = "Designated SCC manager"
# 001 Appendix 3
DASS = "Director of Adult Social Services"

__all__ = ["THIS_SERVICE", "WHOLE_PROVIDER"]


# --- dates ------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def working_days_on(start: dt.date, days: int) -> dt.date:
    """Monday to Friday less the bank holidays of England (independently of core.workdays)."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=[start.year, start.year + 1])
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in bank:
            days -= 1
    return day


class Clock:
    """Moves "today" for the app: `django.utils.timezone.now` (read by `localdate()`, by
    auto_now fields and by the timer sweep) is shifted by an offset; time still runs, so rows
    made one after the other keep their order."""

    def __init__(self, monkeypatch):
        self._real = timezone.now
        self.offset = dt.timedelta(0)
        monkeypatch.setattr(timezone, "now", lambda: self._real() + self.offset)

    def set(self, day: dt.date, hour: int = 10) -> dt.date:
        target = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        self.offset = target - self._real()
        assert timezone.localdate() == day
        return day

    def real(self) -> dt.date:
        self.offset = dt.timedelta(0)
        return timezone.localdate()


# --- nothing written --------------------------------------------------------------------------

WATCHED = (
    Restriction,
    RestrictionEvent,
    Share,
    Appeal,
    Notice,
    PlacementCheck,
    FeedEntry,
    ListIssue,
    Recommendation,
    DecisionStep,
    AuditEntry,
    Timer,
    Alert,
    Case,
    CaseMove,
    Intelligence,
    Commissioning,
)


def state() -> dict:
    """Every row count that a restriction's service may touch, and the fields of the
    restrictions, recommendations, timers and cases that a change would alter."""
    snap = {m._meta.label: m.objects.count() for m in WATCHED}
    snap["restrictions"] = list(
        Restriction.objects.order_by("pk").values_list(
            "pk", "status", "level", "location_id", "hold_until", "review_on", "shared"
        )
    )
    snap["recommendations"] = list(
        Recommendation.objects.order_by("pk").values_list("pk", "status", "step")
    )
    snap["timers"] = list(Timer.objects.order_by("pk").values_list("pk", "status", "due_on"))
    snap["cases"] = list(Case.objects.order_by("pk").values_list("pk", "stage"))
    snap["appeals"] = list(Appeal.objects.order_by("pk").values_list("pk", "status"))
    snap["notices"] = list(Notice.objects.order_by("pk").values_list("pk", "status"))
    snap["shares"] = list(Share.objects.order_by("pk").values_list("pk", "ended_at"))
    return snap


@contextmanager
def refused(error, *, field: str | None = None, says: str | None = None):
    """The call raises `error` (naming `field`, saying `says`) and writes nothing."""
    before = state()
    with pytest.raises(error) as info:
        yield info
    assert state() == before
    if field is not None:
        assert field in info.value.errors, info.value.errors
    if says is not None:
        text = " ".join([info.value.message, *sum(info.value.errors.values(), [])])
        assert says in text, text


# --- people -----------------------------------------------------------------------------------


def wb_people(load_pack, member) -> SimpleNamespace:
    """004 18: the CQO, the SRM and SM, the Head of Commissioning; 19.2 the Service
    Director of Adult Social Care."""
    council = load_pack("west-berkshire")
    return SimpleNamespace(
        council=council,
        cqo=member(council, Role.OFFICER, title="Care Quality Officer"),
        srm=member(council, Role.MANAGER, title=SRM),
        sm=member(council, Role.MANAGER, title=SM),
        hoc=member(council, Role.DECISION_MAKER, title=HOC),
        sd=member(council, Role.DECISION_MAKER, title=SD),
        placement=member(council, Role.PLACEMENT),
        auditor=member(council, Role.AUDITOR),
    )


def somerset_people(load_pack, member) -> SimpleNamespace:
    """003 2.6: a contract manager asks; only a designated SCC manager authorises."""
    council = load_pack("somerset")
    return SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        manager=member(council, Role.MANAGER),
        designated=member(council, Role.MANAGER, title=DESIGNATED),
        placement=member(council, Role.PLACEMENT),
        auditor=member(council, Role.AUDITOR),
    )


def bedford_people(load_pack, member) -> SimpleNamespace:
    """001 Appendix 3: the DASS or nominated representative decides on sanctions."""
    council = load_pack("bedford")
    return SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        dass=member(council, Role.DECISION_MAKER, title=DASS),
    )


# --- services ---------------------------------------------------------------------------------


def ev(kind: str, note: str = "", url: str = "") -> dict:
    return {"kind": kind, "note": note or f"The {kind.replace('_', ' ')}", "url": url}


WB_EVIDENCE = [ev("cqc_report", url=CQC_LINK), ev("improvement_plan", "Plan v2, review 4")]
QIM = {"discussed_at": "A Quality Improvement Meeting"}


def two_services(**fields):
    """A provider with two services."""
    provider = ProviderFactory()
    return (
        LocationFactory(provider=provider, **fields),
        LocationFactory(provider=provider, **fields),
    )


def act(rec, actor, outcome, reasons="Agreed", **kw):
    return recommendation_act(
        recommendation=rec, actor=actor, outcome=outcome, reasons=reasons, **kw
    )


def wb_chain(wb, rec, *, outcome="approved", scope=THIS_SERVICE, decided_on=None, reasons=""):
    """004 18.1-18.5 (or 20.4-20.5): the SRM and the SM forward, the Head of Commissioning
    decides (the scope question only when approving a restriction, 004 18.4)."""
    act(rec, wb.srm, "forwarded", "The criteria are met")
    act(rec, wb.sm, "forwarded", "I recommend it to the Head of Commissioning")
    asked = outcome == "approved" and rec.kind == "restriction" and rec.location_id
    details = {"scope": scope} if asked else None
    return act(
        rec,
        wb.hoc,
        outcome,
        reasons or ("Agreed" if outcome == "approved" else "Not agreed"),
        decided_on=decided_on,
        decision_details=details,
    )


def wb_propose(wb, location=None, *, level="suspended", case=None, **kw) -> Restriction:
    return restriction_propose(
        council=wb.council,
        actor=wb.cqo,
        level=level,
        reasons=kw.pop("reasons", "Inadequate in Safe; improvement plan failed three reviews"),
        location=location,
        evidence=kw.pop("evidence", WB_EVIDENCE),
        case=case,
        **kw,
    )


def wb_impose(wb, location=None, *, level="suspended", scope=THIS_SERVICE, decided_on=None, **kw):
    """A West Berkshire restriction proposed and decided through the whole chain."""
    r = wb_propose(wb, location, level=level, **kw)
    wb_chain(wb, r.recommendation, scope=scope, decided_on=decided_on)
    r.refresh_from_db()
    return r


def somerset_impose(som, location, *, level="suspended", contact=None) -> Restriction:
    """003 2.6: discussed at a QIM, authorised by a designated SCC manager."""
    r = restriction_propose(
        council=som.council,
        actor=som.officer,
        level=level,
        reasons="Quality concerns discussed at the QIM",
        location=location,
        evidence=[ev("meeting_notes", "QIM notes and actions")],
        details=QIM,
        contact=contact,
    )
    act(
        r.recommendation,
        som.designated,
        "approved",
        "Commissioning position changed",
        decision_details={"scope": THIS_SERVICE},
    )
    r.refresh_from_db()
    return r


def bedford_impose(bed, location, *, level="suspended", scope=THIS_SERVICE) -> Restriction:
    r = restriction_propose(
        council=bed.council,
        actor=bed.officer,
        level=level,
        reasons="Serious Concerns meeting recommends suspending new placements",
        location=location,
        evidence=[ev("meeting_notes", "Serious Concerns meeting, recommendations")],
    )
    act(
        r.recommendation,
        bed.dass,
        "approved",
        "Sanctions agreed",
        decision_details={"scope": scope},
    )
    r.refresh_from_db()
    return r

"""The lists: Somerset's Managed Placements Memo (003 2.6 and its Appendix: RED, AMBER and GREEN,
grouped by area, with service type codes) and West Berkshire's Providers with Restrictions
List (004 19.3). Each issue is a dated snapshot kept as issued, and circulated by email."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction

from core.models import AuditEntry
from councils.models import Role
from decisions.models import Recommendation
from providers.models import ServiceType
from restrictions.models import ListIssue
from restrictions.selectors.lists import issue_csv
from restrictions.services import list_issue, restriction_change
from tests.factories import LocationFactory, UserFactory
from tests.monitoring.helpers import commission
from tests.restrictions.rules.helpers import (
    WHOLE_PROVIDER,
    Clock,
    act,
    ev,
    somerset_impose,
    two_services,
    wb_impose,
    wb_people,
)

pytestmark = pytest.mark.django_db

MEMO = "managed_placements_memo"
RED, AMBER = "RED - NOT CURRENTLY PLACING", "AMBER - PLACING WITH RESTRICTIONS"
GREEN = "GREEN – RESTRICTIONS REMOVED, SCC NOW PLACING"
AREAS = ["Taunton", "Mendip", "Sedgemoor and West Somerset", "South Somerset"]
CONTACT = {"name": "Alex Moore", "phone": "01823 355 455", "email": "amoore@somerset.gov.uk"}


def service(name: str, postcode: str, kind: str):
    location = LocationFactory(name=name, postcode=postcode, local_authority="Somerset")
    location.service_types.add(ServiceType.objects.get_or_create(name=kind)[0])
    return location


def sections(issue: ListIssue) -> dict:
    """{heading: {area: [(code, name)]}} of an issue, RED and AMBER then GREEN."""
    parts = list(issue.content["sections"])
    if issue.content["removed"]:
        parts.append(issue.content["removed"])
    return {
        s["heading"]: {
            g["area"]: [(e["code"], e["name"]) for e in g["entries"]] for g in s["groups"]
        }
        for s in parts
    }


def grouped(**by_area) -> dict:
    out = dict.fromkeys(AREAS, ())
    out.update(by_area)
    return {area: list(entries) for area, entries in out.items()}


def lift(som, r):
    restriction_change(restriction=r, actor=som.officer, level="none", reasons="Resolved")
    rec = Recommendation.objects.get(
        kind="restriction_change", subject_id=str(r.pk), status="pending"
    )
    act(rec, som.designated, "approved", "Remove from the memo")


def downgrade(som, r):
    restriction_change(
        restriction=r,
        actor=som.officer,
        level="caution",
        reasons="Partly resolved",
        evidence=[ev("meeting_notes", "QIM review")],
    )
    rec = Recommendation.objects.get(
        kind="restriction_change", subject_id=str(r.pk), status="pending"
    )
    act(rec, som.designated, "approved", "Placing with restrictions")


def test_003_memo_red_amber_and_green_across_three_successive_issues(som, monkeypatch):
    """003 memo: "The name/s of provider/s where safeguarding and/or quality concerns have been
    identified are listed under the geographical area in which they are situated and the type
    of restriction applied: RED The first section refers to providers where SCC is not
    currently agreeing new placements; AMBER The second part is where SCC has put certain
    restrictions on placements; GREEN The third is where restrictions have been removed since
    the last published list and SCC are now placing." Codes: "RC = Residential Care, NC =
    Nursing Care, SRC = Specialist Residential Care, DCA = Domiciliary Care Agency, SL =
    Supported Living"."""
    clock = Clock(monkeypatch)
    clock.set(dt.date(2026, 11, 30))
    rc = service("Vivary House", "TA1 4AB", "Care home service without nursing")
    src = service("Quantock View", "TA2 8AA", "Care home service without nursing")
    commission(som.council, src, specialist_service="Learning disabilities")
    nc = service("Glastonbury Court", "BA6 9AA", "Care home service with nursing")
    dca = service("Bridgwater Home Care", "TA6 3AA", "Homecare agencies")
    sl = service("Yeovil Supported Living", "BA20 1AA", "Supported living")
    red_rc = somerset_impose(som, rc, contact=CONTACT)
    somerset_impose(som, src, contact=CONTACT)
    red_nc = somerset_impose(som, nc, contact=CONTACT)
    somerset_impose(som, dca, level="caution", contact=CONTACT)
    somerset_impose(som, sl, level="caution", contact=CONTACT)

    clock.set(dt.date(2026, 12, 1))
    first = list_issue(council=som.council, actor=som.officer, list_key=MEMO)
    assert (first.number, first.issued_on, first.title) == (
        1,
        dt.date(2026, 12, 1),
        "Managed Placements Memo",
    )
    assert first.content["marking"] == "CONFIDENTIAL"
    assert sections(first) == {
        RED: grouped(
            Taunton=[("SRC", "Quantock View"), ("RC", "Vivary House")],
            Mendip=[("NC", "Glastonbury Court")],
        ),
        AMBER: grouped(
            **{
                "Sedgemoor and West Somerset": [("DCA", "Bridgwater Home Care")],
                "South Somerset": [("SL", "Yeovil Supported Living")],
            }
        ),
        GREEN: grouped(),  # nothing before the first issue
    }
    entry = first.content["sections"][0]["groups"][0]["entries"][1]
    assert (entry["contact"], entry["telephone"], entry["added"]) == (
        "Alex Moore",
        "01823 355 455",
        "2026-11-30",
    )
    assert entry["address"].endswith("TA1 4AB")

    # Vivary House's restriction is removed: GREEN in the next issue only.
    clock.set(dt.date(2026, 12, 7))
    lift(som, red_rc)
    clock.set(dt.date(2026, 12, 8))
    second = list_issue(council=som.council, actor=som.officer, list_key=MEMO)
    assert second.number == 2
    assert sections(second)[RED] == grouped(
        Taunton=[("SRC", "Quantock View")], Mendip=[("NC", "Glastonbury Court")]
    )
    assert sections(second)[GREEN] == grouped(Taunton=[("RC", "Vivary House")])

    # Glastonbury Court goes from RED to AMBER: moved, not removed.
    clock.set(dt.date(2026, 12, 14))
    downgrade(som, red_nc)
    clock.set(dt.date(2026, 12, 15))
    third = list_issue(council=som.council, actor=som.officer, list_key=MEMO)
    assert third.number == 3
    assert sections(third) == {
        RED: grouped(Taunton=[("SRC", "Quantock View")]),
        AMBER: grouped(
            Mendip=[("NC", "Glastonbury Court")],
            **{
                "Sedgemoor and West Somerset": [("DCA", "Bridgwater Home Care")],
                "South Somerset": [("SL", "Yeovil Supported Living")],
            },
        ),
        GREEN: grouped(),
    }
    # Each issue is kept as it was issued.
    first.refresh_from_db()
    assert sections(first)[RED]["Taunton"] == [("SRC", "Quantock View"), ("RC", "Vivary House")]


def test_003_an_issue_is_kept_as_issued(som):
    """003 2.6: "the designated manager will ask for the provider details to be removed from
    the list immediately, which will then be re-issued": a change is a new issue; an issue
    is never changed or deleted."""
    somerset_impose(som, service("Vivary House", "TA1 4AB", "Care home service without nursing"))
    issue = list_issue(council=som.council, actor=som.officer, list_key=MEMO)
    issue.title = "Changed"
    with pytest.raises(PermissionError):
        issue.save()
    with pytest.raises(PermissionError):
        ListIssue.objects.filter(pk=issue.pk).update(title="Changed")
    with pytest.raises(PermissionError):
        issue.delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ListIssue._meta.db_table} SET title = 'Changed' WHERE id = %s",
                [issue.pk],
            )
    issue.refresh_from_db()
    assert issue.title == "Managed Placements Memo"


def test_003_the_memo_as_csv_has_the_columns(som):
    """003 memo: "Type of Service | Name and Address of Service Provider | SCC Contact Name and
    Telephone Number | Date Added", under the geographical areas; marked confidential."""
    location = service("Vivary House", "TA1 4AB", "Care home service without nursing")
    r = somerset_impose(som, location, contact=CONTACT)
    issue = list_issue(council=som.council, actor=som.officer, list_key=MEMO)
    rows = list(csv.reader(io.StringIO(issue_csv(issue))))
    assert rows[0] == ["CONFIDENTIAL"]
    assert rows[1][0].startswith("Managed Placements Memo, no. 1, issued ")
    assert rows[2] == [
        "Section",
        "Area",
        "Type of service",
        "Name",
        "Address",
        "CQC location ID",
        "Council contact",
        "Telephone",
        "Email",
        "Date added",
        "Reference",
    ]
    assert rows[3:] == [
        [
            RED,
            "Taunton",
            "RC",
            "Vivary House",
            location.address,
            location.cqc_location_id,
            "Alex Moore",
            "01823 355 455",
            "amoore@somerset.gov.uk",
            r.level_since.isoformat(),
            r.reference,
        ]
    ]


def test_003_the_memo_is_circulated_by_email_to_the_distribution(
    som, member, django_capture_on_commit_callbacks
):
    """003 2.6: "The Managed Placements Memo is a confidential document shared only between
    Local Authority and Health staff involved in supporting people to find care and support":
    emailed to the pack's distribution (placement staff, officers, managers), and no one
    else."""
    broker = member(som.council, Role.PLACEMENT, user=UserFactory(email="broker@somerset.gov.uk"))
    cm = member(som.council, Role.OFFICER, user=UserFactory(email="cm@somerset.gov.uk"))
    member(som.council, Role.BOARD_MEMBER, user=UserFactory(email="board@somerset.gov.uk"))
    somerset_impose(som, service("Vivary House", "TA1 4AB", "Care home service without nursing"))
    with django_capture_on_commit_callbacks(execute=True):
        issue = list_issue(council=som.council, actor=som.officer, list_key=MEMO)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([broker.email, cm.email])
    assert message.subject.startswith("CONFIDENTIAL: Managed Placements Memo no. 1")
    (name, content, kind) = message.attachments[0]
    assert (name, kind) == (f"{issue.reference}.csv", "text/csv")
    assert "Vivary House" in content
    circulated = AuditEntry.objects.get(action="list.circulated", object_id=str(issue.pk))
    assert circulated.data["without_email"][-1] == "SCCG placement and CHC staff"
    # Circulated once, whatever runs again.
    from restrictions.tasks import list_circulate

    list_circulate.enqueue(som.council.pk, issue.pk)
    assert len(mail.outbox) == 1


def test_004_19_3_the_providers_with_restrictions_list_has_no_green_section(load_pack, member):
    """004 19.3: "The CQT will update the central list of Providers subject to a restriction or
    termination so that all Adult Social Care staff are aware of who has a restriction in
    place." A provider-wide Embargo lists each of its services; lifted ones are simply gone."""
    wb = wb_people(load_pack, member)
    first, second = two_services(local_authority="West Berkshire")
    wb_impose(wb, first, scope=WHOLE_PROVIDER)
    issue = list_issue(council=wb.council, actor=wb.cqo, list_key="providers_with_restrictions")
    assert issue.content["removed"] is None
    assert sections(issue) == {
        "Commissioning terminated": {"": []},
        "Embargo": {"": sorted([("", first.name), ("", second.name)], key=lambda e: e[1])},
        "Place with Caution": {"": []},
    }
    assert issue.content["marking"].startswith("Subject to freedom of information requests")


def test_003_a_red_escalated_to_termination_is_not_listed_as_now_placing(som, monkeypatch):
    """003 memo: "GREEN The third is where restrictions have been removed since the last
    published list and SCC are now placing." A RED whose contract is then terminated (003 2.5:
    "the provider's contract may be terminated") has had no restriction removed: SCC is not
    placing, so it is not GREEN."""
    clock = Clock(monkeypatch)
    clock.set(dt.date(2026, 11, 30))
    r = somerset_impose(
        som, service("Vivary House", "TA1 4AB", "Care home service without nursing")
    )
    list_issue(council=som.council, actor=som.officer, list_key=MEMO)
    restriction_change(
        restriction=r,
        actor=som.officer,
        level="terminated",
        reasons="Breach of contract",
        evidence=[ev("meeting_notes", "Board minutes")],
    )
    rec = Recommendation.objects.get(kind="restriction_change", subject_id=str(r.pk))
    act(rec, som.designated, "approved", "Contract terminated")
    second = list_issue(council=som.council, actor=som.officer, list_key=MEMO)
    assert sections(second)[GREEN] == grouped()
    assert sections(second)[RED] == grouped()

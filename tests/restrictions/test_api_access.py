"""The restrictions API, door by door: 401 without credentials; each role and each token scope
gets what the permissions give it and 403 elsewhere, changing nothing; placement staff read
statuses but never case or restriction detail (issue 9: "Placement staff read statuses; they
never see case detail they have no role for")."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import AuditEntry
from councils.models import Role
from decisions.models import DecisionStep, Recommendation
from restrictions.models import (
    Appeal,
    ListIssue,
    Notice,
    PlacementCheck,
    Restriction,
    RestrictionEvent,
)
from tests.factories import LocationFactory
from tests.restrictions.conftest import everything, evidence_for

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/placements/"
LOOKUP = "/api/v1/placements/lookup/"
CHANGES = "/api/v1/placements/changes/"
RESTRICTIONS = "/api/v1/restrictions/"
APPEALS = "/api/v1/restriction-appeals/"
NOTICES = "/api/v1/restriction-notices/"
LISTS = "/api/v1/restriction-lists/"
CHECKS = "/api/v1/placement-checks/"

ALL_ROLES = list(Role.values)
EVERYONE = set(ALL_ROLES) - {Role.EXTERNAL}  # a partner on a board sees its board only
READERS = {  # restrictions.view_restriction
    Role.OFFICER,
    Role.MANAGER,
    Role.DECISION_MAKER,
    Role.COUNCIL_ADMIN,
    Role.AUDITOR,
    Role.BOARD_MEMBER,
}
CHECK_READERS = {Role.MANAGER, Role.AUDITOR, Role.COUNCIL_ADMIN}  # restrictions.view_checks


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", f"{STATUS}1-101641361/"),
        ("get", f"{STATUS}1/"),
        ("post", LOOKUP),
        ("get", f"{CHANGES}?since=0"),
        ("get", RESTRICTIONS),
        ("post", RESTRICTIONS),
        ("get", f"{RESTRICTIONS}1/"),
        ("post", f"{RESTRICTIONS}1/change/"),
        ("post", f"{RESTRICTIONS}1/review/"),
        ("post", f"{RESTRICTIONS}1/withdraw/"),
        ("post", f"{RESTRICTIONS}1/dismiss/"),
        ("post", f"{RESTRICTIONS}1/contact/"),
        ("get", APPEALS),
        ("post", APPEALS),
        ("get", f"{APPEALS}1/"),
        ("get", NOTICES),
        ("get", f"{NOTICES}1/"),
        ("post", f"{NOTICES}1/sent/"),
        ("get", LISTS),
        ("post", LISTS),
        ("get", f"{LISTS}1/"),
        ("get", f"{LISTS}1/csv/"),
        ("get", CHECKS),
        ("get", f"{CHECKS}1/"),
    ],
)
def test_401_without_credentials(method, url, api):
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def _reads(o, location):
    """(url, who may) for every read, with the objects of `everything`."""
    return [
        (f"{STATUS}{location.cqc_location_id}/", EVERYONE),
        (f"{STATUS}{location.pk}/", EVERYONE),
        (CHANGES, EVERYONE),
        (f"{CHANGES}?since=0", EVERYONE),
        (RESTRICTIONS, READERS),
        (f"{RESTRICTIONS}{o.active.pk}/", READERS),
        (f"{RESTRICTIONS}?status=open", READERS),
        (APPEALS, READERS),
        (f"{APPEALS}{o.appeal.pk}/", READERS),
        (NOTICES, READERS),
        (f"{NOTICES}{o.notice.pk}/", READERS),
        (LISTS, EVERYONE),
        (f"{LISTS}{o.issue.pk}/", EVERYONE),
        (f"{LISTS}{o.issue.pk}/csv/", EVERYONE),
        (CHECKS, CHECK_READERS),
        (f"{CHECKS}{o.check.pk}/", CHECK_READERS),
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_reading_per_role(role, wb, api_as):
    """Everyone in the council reads statuses, the feed and the lists (004 19.3: "Care
    Managers and Commissioning will consult this list"); the reasons and decisions are for
    quality staff, auditors and board members; the checks log for managers, auditors and
    admins."""
    o = everything(wb)
    client = api_as(wb.by_role[role])
    for url, who in _reads(o, o.active.location):
        expected = 200 if role in who else 403
        assert client.get(url).status_code == expected, url
    lookup = client.post(LOOKUP, {"ids": [o.active.location.cqc_location_id]}, format="json")
    assert lookup.status_code == (403 if role == Role.EXTERNAL else 200)


def test_placement_staff_read_statuses_but_never_case_or_restriction_detail(wb, api_as):
    o = everything(wb)
    client = api_as(wb.placement)
    status = client.get(f"{STATUS}{o.active.location.cqc_location_id}/")
    assert status.status_code == 200
    assert status.json()["label"] == "Embargo"
    for url in [
        "/api/v1/cases/",
        "/api/v1/recommendations/",
        f"/api/v1/recommendations/{o.proposal.recommendation_id}/",
        RESTRICTIONS,
        f"{RESTRICTIONS}{o.active.pk}/",
        APPEALS,
        NOTICES,
        CHECKS,
    ]:
        assert client.get(url).status_code == 403, url


# --- writing, per role: 403 changes nothing -------------------------------------------------


def _snapshot():
    return (
        Restriction.objects.count(),
        sorted(Restriction.objects.values_list("pk", "status", "level", "contact_name")),
        RestrictionEvent.objects.count(),
        Recommendation.objects.count(),
        DecisionStep.objects.count(),
        Appeal.objects.count(),
        sorted(Notice.objects.values_list("pk", "status")),
        ListIssue.objects.count(),
        AuditEntry.objects.count(),
    )


def _writes(wb, o):
    """(name, url, payload, who may, success code) of every write."""
    pack = wb.pack
    return [
        (
            "propose",
            RESTRICTIONS,
            {
                "level": "suspended",
                "location": LocationFactory().pk,
                "reasons": "Inadequate in Safe",
                "evidence": evidence_for(pack, "impose"),
            },
            {Role.OFFICER},  # 004 18.1: the CQO, with the CQT, in writing
            201,
        ),
        (
            "change",
            f"{RESTRICTIONS}{o.active.pk}/change/",
            {"level": "caution", "reasons": "Improving", "evidence": evidence_for(pack, "change")},
            {Role.OFFICER},  # 004 20.4
            200,
        ),
        (
            "review",
            f"{RESTRICTIONS}{o.active.pk}/review/",
            {"note": "Plan on track", "next_review_on": _in_days(30)},
            {Role.OFFICER, Role.MANAGER},  # 004 20.1: the CQT
            200,
        ),
        (
            "contact",
            f"{RESTRICTIONS}{o.active.pk}/contact/",
            {"contact": {"name": "Jo Bloggs", "phone": "01635 000 000"}, "exceptions": ""},
            {Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER},
            200,
        ),
        (
            "dismiss",
            f"{RESTRICTIONS}{o.suggestion.pk}/dismiss/",
            {"reason": "The rating is being appealed with the CQC"},
            {Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER},
            200,
        ),
        (
            "withdraw",
            f"{RESTRICTIONS}{o.proposal.pk}/withdraw/",
            {"reason": "Resolved at the meeting"},
            {Role.OFFICER},  # the proposer only
            200,
        ),
        (
            "appeal",
            APPEALS,
            {
                "restriction": o.active.pk,
                "received_on": _in_days(0),
                "grounds": "The findings are out of date",
            },
            {Role.OFFICER, Role.MANAGER},  # 004 19.2
            201,
        ),
        (
            "sent",
            f"{NOTICES}{o.notice.pk}/sent/",
            {"sent_on": _in_days(0), "how": "By email"},
            {Role.OFFICER, Role.MANAGER},
            200,
        ),
        (
            "issue",
            LISTS,
            {"list": "providers_with_restrictions"},
            {Role.OFFICER, Role.MANAGER},
            201,
        ),
    ]


def _in_days(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


WRITES = [
    "propose",
    "change",
    "review",
    "contact",
    "dismiss",
    "withdraw",
    "appeal",
    "sent",
    "issue",
]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_writing_per_role(role, write, wb, api_as):
    """West Berkshire: only the CQO asks for a restriction or its change (004 18.1, 20.4); the
    CQT reviews (004 20.1); officers and managers record appeals, letters sent and lists
    issued; placement staff, auditors, board members and admins change nothing."""
    o = everything(wb)
    name, url, payload, who, code = next(w for w in _writes(wb, o) if w[0] == write)
    client = api_as(wb.by_role[role])
    before = _snapshot()
    response = client.post(url, payload, format="json")
    if role in who:
        assert response.status_code == code, response.content
        assert _snapshot() != before
    else:
        assert response.status_code == 403, (name, response.content)
        assert _snapshot() == before


# --- tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scopes", "readable"),
    [
        (("register:read",), set()),
        (("cases:read",), set()),
        (("placements:read",), {"status", "feed", "lookup", "lists"}),
        (("restrictions:read",), {"status", "feed", "lookup", "restrictions"}),
        (
            ("placements:read", "restrictions:read"),
            {"status", "feed", "lookup", "lists", "restrictions"},
        ),
    ],
)
def test_token_scopes(scopes, readable, wb, api_token):
    """`placements:read` reads the statuses, the feed and the lists, not the restrictions
    behind them; `restrictions:read` reads restrictions, appeals and notices; no scope reads
    the checks log; and no token writes (decisions are taken by people)."""
    o = everything(wb)
    client = api_token(wb.council, scopes)
    location = o.active.location
    groups = {
        "status": [f"{STATUS}{location.cqc_location_id}/", f"{STATUS}{location.pk}/"],
        "feed": [CHANGES, f"{CHANGES}?since=0"],
        "lists": [LISTS, f"{LISTS}{o.issue.pk}/", f"{LISTS}{o.issue.pk}/csv/"],
        "restrictions": [
            RESTRICTIONS,
            f"{RESTRICTIONS}{o.active.pk}/",
            APPEALS,
            f"{APPEALS}{o.appeal.pk}/",
            NOTICES,
            f"{NOTICES}{o.notice.pk}/",
        ],
        "checks": [CHECKS, f"{CHECKS}{o.check.pk}/"],
    }
    for group, urls in groups.items():
        for url in urls:
            expected = 200 if group in readable else 403
            assert client.get(url).status_code == expected, url
    lookup = client.post(LOOKUP, {"ids": [location.cqc_location_id]}, format="json")
    assert lookup.status_code == (200 if "lookup" in readable else 403)
    before = _snapshot()
    for _, url, payload, _, _ in _writes(wb, o):
        assert client.post(url, payload, format="json").status_code == 403, url
    assert _snapshot() == before
    assert client.get("/api/v1/cases/").status_code == (200 if "cases:read" in scopes else 403)


def test_a_token_with_placements_read_never_sees_restriction_detail(wb, api_token):
    o = everything(wb)
    client = api_token(wb.council, ("placements:read",))
    body = client.get(f"{STATUS}{o.active.location_id}/").json()
    assert body["level"] == "suspended"
    assert "reasons" not in body and "evidence" not in body
    assert client.get(f"{RESTRICTIONS}{o.active.pk}/").status_code == 403


def test_every_status_read_by_token_is_logged_as_the_system(wb, api_token):
    o = everything(wb)
    api_token(wb.council, ("placements:read",)).get(f"{STATUS}{o.active.location_id}/")
    check = PlacementCheck.objects.filter(via="api").get()
    assert check.user is None
    assert "Test system" in check.actor_label

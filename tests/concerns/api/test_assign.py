"""Who leads a case (issue 13, item 3): a manager assigns a lead officer; an officer takes an
unassigned case; the case's open time limits go to its lead; the officer's start page lists
their cases with the next deadline on each."""

import pytest
from rest_framework.test import APIClient

from concerns.services import case_assign
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry, Timer
from core.timers import timer_start
from councils.models import Role
from tests.concerns.api.helpers import CASES, open_case, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(load_pack, member):
    council = load_pack("bromley")
    return {
        "council": council,
        "manager": member(council, Role.MANAGER),
        "officer": member(council, Role.OFFICER),
        "other": member(council, Role.OFFICER),
        "placement": member(council, Role.PLACEMENT),
    }


def test_a_manager_assigns_and_the_open_time_limits_follow(team):
    case = open_case(team["council"])
    timer = timer_start(council=team["council"], kind="t.case", subject=case, due_on=today())
    case_assign(case=case, actor=team["manager"], lead_officer=team["officer"])
    case.refresh_from_db()
    timer.refresh_from_db()
    assert case.lead_officer == team["officer"]
    assert timer.owner == team["officer"]
    assert AuditEntry.objects.filter(action="case.assigned").count() == 1


def test_an_officer_takes_an_unassigned_case_but_not_anothers(team):
    case = open_case(team["council"])
    case_assign(case=case, actor=team["officer"], lead_officer=team["officer"])
    with pytest.raises(NotAllowed):
        case_assign(case=case, actor=team["other"], lead_officer=team["other"])


def test_only_officers_and_managers_lead_and_not_twice(team):
    case = open_case(team["council"])
    with pytest.raises(ValidationFailed) as refused:
        case_assign(case=case, actor=team["manager"], lead_officer=team["placement"])
    assert set(refused.value.errors) == {"lead_officer"}
    case_assign(case=case, actor=team["manager"], lead_officer=team["officer"])
    with pytest.raises(Conflict):
        case_assign(case=case, actor=team["manager"], lead_officer=team["officer"])


def _api(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_the_api_per_role(team, load_pack, member):
    case = open_case(team["council"])
    url = f"{CASES}{case.pk}/assign/"
    body = {"lead_officer": team["officer"].pk}
    assert APIClient().post(url, body, format="json").status_code in (401, 403)
    assert _api(team["placement"]).post(url, body, format="json").status_code == 403
    outsider = member(load_pack("somerset"), Role.MANAGER)
    assert _api(outsider).post(url, body, format="json").status_code in (403, 404)
    bad = _api(team["manager"]).post(url, {"lead_officer": team["placement"].pk}, format="json")
    assert bad.status_code == 400 and "lead_officer" in str(bad.json())
    ok = _api(team["manager"]).post(url, body, format="json")
    assert ok.status_code == 200
    assert _api(team["manager"]).post(url, body, format="json").status_code == 409


def test_the_case_page_assigns_and_the_start_page_lists_the_leads_cases(client, team):
    case = open_case(team["council"])
    timer_start(
        council=team["council"], kind="t.case", subject=case, due_on=today(), label="Review due"
    )
    client.force_login(team["manager"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Assign a lead officer" in page and "Unassigned" in page
    answer = client.post(f"/cases/{case.pk}/assign/", {"as-lead_officer": ""})
    assert answer.status_code == 400 and "Choose the lead officer" in answer.content.decode()
    answer = client.post(f"/cases/{case.pk}/assign/", {"as-lead_officer": team["officer"].pk})
    assert answer.status_code == 302
    client.force_login(team["officer"])
    home = client.get("/").content.decode()
    mine = home[home.index('data-testid="my-cases"') :]
    assert case.reference in mine and "Review due" in mine
    assert Timer.objects.get(subject_id=str(case.pk)).owner == team["officer"]


def test_an_officer_takes_it_from_the_case_page(client, team):
    case = open_case(team["council"])
    client.force_login(team["officer"])
    assert "Take this case" in client.get(f"/cases/{case.pk}/").content.decode()
    assert client.post(f"/cases/{case.pk}/assign/", {"take": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.lead_officer == team["officer"]

"""The decisions endpoints and pages work for any subject kind: the inbox, a recommendation
with its subject, and a step taken in writing; 401, 403, 404 (another council's), 400 naming
the field, 409, and the happy path."""

import pytest

from councils.models import Role
from decisions.models import Status
from tests.decisions.conftest import DASS_CHAIN
from tests.decisions.permits.kind import propose

pytestmark = pytest.mark.django_db

RECS = "/api/v1/recommendations/"


@pytest.fixture
def waiting(bromley, permit):
    """A permit recommendation at its decision, the check taken."""
    from decisions.services import recommendation_act

    rec = propose(permit(bromley.council), bromley.officer, approval=DASS_CHAIN)
    return recommendation_act(
        recommendation=rec, actor=bromley.manager, outcome="forwarded", reasons="Checked"
    )


def test_unauthenticated_is_401(waiting, api):
    assert api.get(RECS).status_code == 401
    assert api.post(f"{RECS}{waiting.pk}/act/", {}, format="json").status_code == 401


def test_the_inbox_and_the_detail_show_the_subject(bromley, waiting, api_as):
    inbox = api_as(bromley.dass).get(RECS, {"awaiting": "me"}).json()["results"]
    assert [r["id"] for r in inbox] == [waiting.pk]
    subject = inbox[0]["subject"]
    assert subject["type"] == "permits.permit"
    assert subject["reference"] == f"PERMIT-{waiting.subject_id}"
    assert api_as(bromley.manager).get(RECS, {"awaiting": "me"}).json()["results"] == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.OFFICER, 200),
        (Role.AUDITOR, 200),
        (Role.PLACEMENT, 403),  # sees only their own, on the pages
    ],
)
def test_reading_per_role(bromley, waiting, member, api_as, role, status):
    client = api_as(member(bromley.council, role))
    assert client.get(RECS).status_code == status
    assert client.get(f"{RECS}{waiting.pk}/").status_code == status


def test_acting_per_role_and_state(bromley, waiting, api_as, api_token):
    url = f"{RECS}{waiting.pk}/act/"
    approve = {"outcome": "approved", "reasons": "Agreed"}
    assert api_as(bromley.officer).post(url, approve, format="json").status_code == 403
    assert api_token(bromley.council, ["cases:read"]).post(url, approve).status_code == 403
    assert api_as(bromley.manager).post(url, approve, format="json").status_code == 403
    bad = api_as(bromley.dass).post(url, {"outcome": "approved", "reasons": ""}, format="json")
    assert bad.status_code == 400 and "reasons" in bad.json()["errors"]
    early = {**approve, "decided_on": "2001-01-01"}
    bad = api_as(bromley.dass).post(url, early, format="json")
    assert bad.status_code == 400 and "decided_on" in bad.json()["errors"]
    done = api_as(bromley.dass).post(url, approve, format="json")
    assert done.status_code == 200 and done.json()["status"] == Status.APPROVED
    assert done.json()["decided_on"]
    again = api_as(bromley.hacm).post(url, approve, format="json")
    assert again.status_code == 409


def test_another_councils_recommendation_is_404(bromley, waiting, load_pack, member, api_as):
    other = load_pack("west-berkshire")
    client = api_as(member(other, Role.DECISION_MAKER, title="Head of Commissioning"))
    assert client.get(f"{RECS}{waiting.pk}/").status_code == 404
    act = {"outcome": "approved", "reasons": "Mine"}
    assert client.post(f"{RECS}{waiting.pk}/act/", act, format="json").status_code == 404
    assert waiting.pk not in [r["id"] for r in client.get(RECS).json()["results"]]


def test_withdrawing_through_the_api(bromley, permit, api_as):
    rec = propose(permit(bromley.council), bromley.officer, approval=DASS_CHAIN)
    url = f"{RECS}{rec.pk}/withdraw/"
    assert api_as(bromley.other_officer).post(url, {"reason": "x"}).status_code == 403
    assert api_as(bromley.officer).post(url, {"reason": ""}).status_code == 400
    done = api_as(bromley.officer).post(url, {"reason": "Resolved"})
    assert done.status_code == 200 and done.json()["status"] == Status.WITHDRAWN
    assert api_as(bromley.officer).post(url, {"reason": "Again"}).status_code == 409


def test_the_inbox_page_and_deciding_on_the_page(bromley, waiting, signed_in):
    client = signed_in(bromley.dass)
    page = client.get("/decisions/").content.decode()
    assert f"PERMIT-{waiting.subject_id}" in page and waiting.reference in page
    url = f"/decisions/{waiting.pk}/"
    detail = client.get(url).content.decode()
    assert "Your decision" in detail and "Date the decision was taken" in detail
    response = client.post(
        url,
        {
            "action": "act",
            "expected_step": str(waiting.step),
            "act-outcome": "approved",
            "act-reasons": "Agreed",
        },
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED


def test_someone_who_sees_no_cases_sees_only_their_own_on_the_pages(
    bromley, waiting, signed_in, permit
):
    client = signed_in(bromley.placement)
    assert client.get(f"/decisions/{waiting.pk}/").status_code == 404
    own = propose(permit(bromley.council), bromley.placement, approval=DASS_CHAIN)
    assert client.get(f"/decisions/{own.pk}/").status_code == 200
    assert client.get("/decisions/").status_code == 200


def test_the_decision_questions_on_the_page_and_through_the_api(bromley, permit, api_as, signed_in):
    """The decider answers the kind's questions (004 18.4: the scope) when approving: the page
    asks them and names a missing answer on its field; the API takes `decision_details`."""
    on_page = propose(
        permit(bromley.council),
        bromley.officer,
        approval={"decided_by": "dass", "seed": "x"},
        ask_scope=True,
    )
    client = signed_in(bromley.dass)
    url = f"/decisions/{on_page.pk}/"
    assert "Apply it to" in client.get(url).content.decode()
    post = {"action": "act", "expected_step": "0", "act-outcome": "approved", "act-reasons": "Ok"}
    missing = client.post(url, post)
    assert missing.status_code == 400
    assert "Answer “Apply it to”." in missing.content.decode()
    assert client.post(url, {**post, "act-q_scope": "Every site"}).status_code == 302
    on_page.refresh_from_db()
    assert on_page.decision_details == {"scope": "Every site"}

    by_api = propose(
        permit(bromley.council),
        bromley.officer,
        approval={"decided_by": "dass", "seed": "x"},
        ask_scope=True,
    )
    act = f"{RECS}{by_api.pk}/act/"
    body = {"outcome": "approved", "reasons": "Ok"}
    refused = api_as(bromley.dass).post(act, body, format="json")
    assert refused.status_code == 400
    assert "decision_details.scope" in refused.json()["errors"]
    done = api_as(bromley.dass).post(
        act, {**body, "decision_details": {"scope": "This site"}}, format="json"
    )
    assert done.status_code == 200 and done.json()["decision_details"] == {"scope": "This site"}

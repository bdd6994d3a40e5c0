"""Issue 11, findings 11, 7 and 12: 403 before 409, no silent writes, and a schema that says what
the API answers."""

from __future__ import annotations

import pytest

from councils.models import Role

pytestmark = pytest.mark.django_db


# --- finding 11: 403 before 409 --------------------------------------------------------------


def test_a_move_not_ones_own_is_403_even_with_a_decision_pending(council_a, member, api_as):
    from concerns.models import Case
    from concerns.services import case_open
    from decisions.models import Recommendation
    from tests.factories import LocationFactory

    officer = member(council_a, Role.OFFICER)
    board = member(council_a, Role.BOARD_MEMBER)  # sees cases, makes none of Bromley's moves
    case = case_open(
        council=council_a, actor=officer, summary="Rated below Good", location=LocationFactory()
    )
    client = api_as(officer)
    made = client.post(
        f"/api/v1/cases/{case.pk}/moves/",
        {
            "move": "refer_to_dass",
            "reason": "Rated Requires improvement",
            "evidence": [{"kind": "compliance_guidance", "note": "Visit of 2 November"}],
            "details": {
                "reason": "Inspection rating below Good published",
                "recommendation": "Suspend new placements",
            },
        },
        format="json",
    )
    assert made.status_code == 202, made.json()  # waits for the DASS
    assert Recommendation.objects.filter(council=council_a, status="pending").exists()
    # The same move by someone whose role may not make it: 403, not "a decision is pending".
    forbidden = api_as(board).post(
        f"/api/v1/cases/{case.pk}/moves/",
        {"move": "refer_to_dass", "reason": "x"},
        format="json",
    )
    assert forbidden.status_code == 403, forbidden.json()
    assert Case.objects.get(pk=case.pk).stage == "informal"


# --- finding 7: no partial or silent writes --------------------------------------------------


def test_a_plan_posted_as_a_form_is_refused_not_saved_without_its_actions(
    council_a, member, api_as
):
    from monitoring.models import ImprovementPlan
    from tests.factories import LocationFactory

    client = api_as(member(council_a, Role.OFFICER))
    answer = client.post(
        "/api/v1/improvement-plans/",
        {
            "location": LocationFactory().pk,
            "title": "Medicines",
            "started_on": "2026-11-01",
            "actions[0]what": "Audit the MAR charts",
        },
        format="multipart",
    )
    assert answer.status_code == 415
    assert not ImprovementPlan.objects.exists()


def test_an_empty_patch_changes_nothing_and_writes_nothing(council_a, member, api_as):
    from core.models import AuditEntry
    from tests.factories import LocationFactory

    client = api_as(member(council_a, Role.COUNCIL_ADMIN))
    made = client.post(
        "/api/v1/commissioning/",
        {"location": LocationFactory().pk, "contract_type": "spot", "people": 2, "in_area": True},
        format="json",
    )
    assert made.status_code in (200, 201), made.json()
    before = AuditEntry.objects.filter(action="commissioning.saved").count()
    empty = client.patch(f"/api/v1/commissioning/{made.json()['id']}/", {}, format="json")
    assert empty.status_code == 400
    same = client.patch(f"/api/v1/commissioning/{made.json()['id']}/", {"people": 2}, format="json")
    assert same.status_code == 200
    assert AuditEntry.objects.filter(action="commissioning.saved").count() == before


# --- finding 12: the schema says what the API answers ----------------------------------------


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_its_errors(schema):
    lacking = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            need = {"401", "403"}
            if "{" in path:
                need.add("404")
            if method in ("post", "put", "patch"):
                need.add("400")
            if need - set(map(str, operation["responses"])):
                lacking.append((method, path))
    assert lacking == []


def test_the_schema_agrees_with_the_answers(schema):
    parts = schema["components"]["schemas"]
    assert parts["Alert"]["properties"]["case"].get("nullable") is True
    for field in ("override_until", "override_reason"):
        assert parts["RiskRating"]["properties"][field].get("nullable") is True
    moves = schema["paths"]["/api/v1/cases/{id}/moves/"]["get"]["responses"]["200"]
    assert moves["content"]["application/json"]["schema"]["type"] == "array"  # not paginated


# --- Found by Schemathesis over the production server (issue 11, must hold) -----------------


def test_an_api_address_that_matches_nothing_answers_json_404(client, settings):
    """Django's own 404 is an HTML page; the API's is its one error shape."""
    settings.DEBUG = False
    response = client.get("/api/v1/alerts/1.5e-38/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and b"Page not found" in page.content


def test_a_nul_character_in_a_filter_is_refused_not_a_server_error(
    council_a, api_token, officer_a, signed_in
):
    """PostgreSQL cannot compare a NUL: a filter holding one answered 500."""
    client = api_token(council_a, ["restrictions:read"])
    response = client.get("/api/v1/restriction-lists/?list=a%00b")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert signed_in(officer_a).get("/locations/?q=a%00b").status_code == 400


def test_a_request_django_will_not_read_answers_json_on_the_api(council_a, api_token, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    client = api_token(council_a, ["placements:read"])
    response = client.post(
        "/api/v1/placements/lookup/", {f"ids{n}": "1" for n in range(10)}, format="multipart"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_the_schema_documents_what_the_fuzzer_found(client):
    """A list's 404 (a page past its end), a filter's 400, a write's 409, the server's 414;
    a timer's stage is its own enum, a review's rating may be empty."""
    schema = client.get("/api/schema/?format=json").json()
    alerts = schema["paths"]["/api/v1/alerts/"]["get"]["responses"]
    assert {"400", "404", "414"} <= set(alerts)
    record = schema["paths"]["/api/v1/reviews/{id}/record/"]["post"]["responses"]
    assert "409" in record
    timer = schema["components"]["schemas"]["Timer"]["properties"]["stage"]
    assert timer["$ref"].endswith("/TimerStageEnum")

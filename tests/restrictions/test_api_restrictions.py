"""The restrictions API for people: restrictions proposed, changed, reviewed, withdrawn,
dismissed and their contact kept current; appeals (004 19.2); notices recorded as sent (004
19.1-19.5); lists issued (003 Managed Placements Memo; 004 19.3) and read as JSON and CSV; the
checks log. The happy path, 400 naming the field, 404 for another council's object and 409
for a state conflict."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from core.models import Timer
from decisions.models import Recommendation
from restrictions.models import (
    Appeal,
    ListIssue,
    Notice,
    Restriction,
    RestrictionEvent,
    Status,
)
from restrictions.services import restriction_suggest
from tests.factories import LocationFactory, ProviderFactory
from tests.restrictions.conftest import (
    CONTACT,
    everything,
    evidence_for,
    lift,
    propose,
    put_in_place,
    tell_provider,
    two_services,
    walk,
)

pytestmark = pytest.mark.django_db

RESTRICTIONS = "/api/v1/restrictions/"
APPEALS = "/api/v1/restriction-appeals/"
NOTICES = "/api/v1/restriction-notices/"
LISTS = "/api/v1/restriction-lists/"
CHECKS = "/api/v1/placement-checks/"


def today():
    return timezone.localdate()


def errors_of(response) -> dict:
    """A serializer's errors come as the body; a service's as body["errors"]."""
    body = response.json()
    return body.get("errors", body)


def proposal(wb, **changes) -> dict:
    """004 18.1: "in writing with reasons and supporting documents e.g. Improvement plan, link
    to the CQC report"."""
    return {
        "level": "suspended",
        "location": LocationFactory().pk,
        "reasons": "Rated Inadequate in Safe; the improvement plan is failing.",
        "evidence": [
            {"kind": "cqc_report", "url": "https://www.cqc.org.uk/location/1-000000001"},
            {"kind": "improvement_plan", "note": "Improvement plan of 5 January"},
        ],
        "contact": {"name": "Sam Taylor", "phone": "01635 519 000", "email": "sam@example.gov.uk"},
        **changes,
    }


# --- restrictions: reading ------------------------------------------------------------------


def test_the_list_shows_the_councils_restrictions_in_its_words(wb, api_as):
    o = everything(wb)
    client = api_as(wb.auditor)
    rows = client.get(RESTRICTIONS).json()["results"]
    by_ref = {row["reference"]: row for row in rows}
    assert set(by_ref) == {
        o.active.reference,
        o.appealed.reference,
        o.proposal.reference,
        o.suggestion.reference,
    }
    active = by_ref[o.active.reference]
    assert (active["level"], active["label"], active["status"]) == (
        "suspended",
        "Embargo",
        "active",
    )
    assert active["contact"] == {
        "name": CONTACT["name"],
        "telephone": CONTACT["phone"],
        "email": CONTACT["email"],
    }
    assert active["shared"] is True
    assert by_ref[o.proposal.reference]["status"] == "proposed"
    assert by_ref[o.suggestion.reference]["status"] == "suggested"


def test_the_list_filters_by_status_level_and_search(wb, api_as):
    o = everything(wb)
    client = api_as(wb.officer)

    def refs(query):
        return {row["reference"] for row in client.get(f"{RESTRICTIONS}?{query}").json()["results"]}

    assert refs("status=active") == {o.active.reference, o.appealed.reference}
    assert refs("status=suggested") == {o.suggestion.reference}
    assert refs("status=open") == {
        o.active.reference,
        o.appealed.reference,
        o.proposal.reference,
        o.suggestion.reference,
    }
    assert refs("level=caution") == set()
    assert refs("q=Active House") == {o.active.reference}
    assert refs(f"q={o.proposal.reference}") == {o.proposal.reference}
    assert refs(f"q={o.active.location.cqc_location_id}") == {o.active.reference}


def test_the_detail_has_reasons_evidence_history_and_notices(wb, api_as):
    o = everything(wb)
    body = api_as(wb.board).get(f"{RESTRICTIONS}{o.active.pk}/").json()
    assert body["reasons"].startswith("Rated Inadequate in Safe")
    assert {e["kind"] for e in body["evidence"]} == {"cqc_report", "improvement_plan"}
    assert [e["kind"] for e in body["events"]] == ["proposed", "imposed"]
    assert body["decided_by_label"]
    assert body["recommendation"] == o.active.recommendation_id
    audiences = {(n["audience"], n["status"]) for n in body["notices"]}
    # 004 19.1 the provider (told), 19.3 staff and the CQC, 19.4 other agencies.
    assert ("provider", "sent") in audiences
    assert {"staff", "agencies", "cqc"} <= {a for a, _ in audiences}


# --- proposing ------------------------------------------------------------------------------


def test_proposing_puts_it_in_the_chain_and_the_decision_puts_it_in_place(wb, api_as):
    """004 18.1-18.5: the CQO proposes; the SRM and the SM check; the Head of Commissioning
    decides."""
    response = api_as(wb.officer).post(RESTRICTIONS, proposal(wb), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["label"], body["level_since"]) == ("proposed", "Embargo", None)
    rec = Recommendation.objects.get(pk=body["recommendation"])
    assert rec.awaiting_label == "SRM agrees the criteria for a restriction are met"
    walk(wb, rec)
    after = api_as(wb.officer).get(f"{RESTRICTIONS}{body['id']}/").json()
    assert (after["status"], after["level_since"]) == ("active", today().isoformat())


def test_proposing_for_all_of_a_providers_services(wb, api_as):
    provider, first, second = two_services()
    payload = proposal(wb, location=None, provider=provider.pk)
    response = api_as(wb.officer).post(RESTRICTIONS, payload, format="json")
    assert response.status_code == 201, response.content
    r = Restriction.objects.get(pk=response.json()["id"])
    assert (r.location_id, r.provider_id) == (None, provider.pk)


def test_taking_up_a_rules_suggestion(wb, api_as):
    """004 16.2: a rule suggests an Embargo; the officer takes it up in writing."""
    location = LocationFactory()
    suggestion = restriction_suggest(
        council=wb.council,
        level="suspended",
        location=location,
        provider=location.provider,
        reason="Inadequate in Safe",
        origin="Inadequate in Safe (004 16.2)",
    )
    response = api_as(wb.officer).post(
        RESTRICTIONS, proposal(wb, location=None, suggestion=suggestion.pk), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["id"] == suggestion.pk
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.location_id) == (Status.PROPOSED, location.pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reasons": ""}, "reasons"),
        ({"level": "none"}, "level"),
        ({"level": "banned"}, "level"),
        ({"location": None}, "location"),
        ({"location": 999_999}, "location"),
        ({"evidence": []}, "evidence"),
        ({"evidence": [{"kind": "gossip", "note": "x"}]}, "evidence"),
        ({"contact": {"email": "not an email"}}, "contact.email"),
        ({"contact": {"phone": "call me"}}, "contact.phone"),
        ({"review_on": "2020-01-01"}, "review_on"),
        ({"review_on": "not a date"}, "review_on"),
    ],
)
def test_a_bad_proposal_is_400_naming_the_field_and_changes_nothing(changes, field, wb, api_as):
    response = api_as(wb.officer).post(RESTRICTIONS, proposal(wb, **changes), format="json")
    assert response.status_code == 400
    assert field in errors_of(response), response.content
    assert not Restriction.objects.exists()
    assert not Recommendation.objects.exists()


def test_a_second_proposal_on_the_same_service_is_409(wb, api_as):
    """One restriction proposed or in place per service at a time: a second is a change of
    the first's level."""
    location = LocationFactory()
    first = propose(wb, location=location)
    response = api_as(wb.officer).post(
        RESTRICTIONS, proposal(wb, location=location.pk), format="json"
    )
    assert response.status_code == 409
    assert first.reference in response.json()["detail"]
    assert Restriction.objects.count() == 1


def test_taking_up_a_dismissed_suggestion_is_409(wb, api_as):
    o = everything(wb)
    client = api_as(wb.officer)
    client.post(f"{RESTRICTIONS}{o.suggestion.pk}/dismiss/", {"reason": "Appealed"}, format="json")
    response = client.post(
        RESTRICTIONS, proposal(wb, location=None, suggestion=o.suggestion.pk), format="json"
    )
    assert response.status_code == 409


# --- changing, lifting ----------------------------------------------------------------------


def test_asking_to_downgrade_goes_to_the_chain_and_leaves_it_in_place(wb, api_as):
    """004 20.4: "advise the SRM and SM" with reasons and supporting documents; 004 20.5: the
    Head of Commissioning decides."""
    r = put_in_place(wb, location=LocationFactory())
    response = api_as(wb.officer).post(
        f"{RESTRICTIONS}{r.pk}/change/",
        {"level": "caution", "reasons": "Improving", "evidence": evidence_for(wb.pack, "change")},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["level"]) == ("active", "suspended")
    rec = Recommendation.objects.get(kind="restriction_change")
    walk(wb, rec)
    body = api_as(wb.officer).get(f"{RESTRICTIONS}{r.pk}/").json()
    assert (body["level"], body["label"]) == ("caution", "Place with Caution")


def test_lifting_through_the_api(wb, api_as):
    r = put_in_place(wb, location=LocationFactory())
    response = api_as(wb.officer).post(
        f"{RESTRICTIONS}{r.pk}/change/",
        {"level": "none", "reasons": "Sustained", "evidence": evidence_for(wb.pack, "lift")},
        format="json",
    )
    assert response.status_code == 200, response.content
    walk(wb, Recommendation.objects.get(kind="restriction_change", key="lift"))
    body = api_as(wb.officer).get(f"{RESTRICTIONS}{r.pk}/").json()
    assert (body["status"], body["ended_on"]) == ("lifted", today().isoformat())


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"level": "suspended", "reasons": "x"}, "level"),  # it is already an Embargo
        ({"level": "caution", "reasons": ""}, "reasons"),
        ({"level": "caution", "reasons": "x", "evidence": []}, "evidence"),
        ({"level": "whatever", "reasons": "x"}, "level"),
        ({"level": "caution", "reasons": "x", "review_on": "2020-01-01"}, "review_on"),
    ],
)
def test_a_bad_change_is_400_naming_the_field(payload, field, wb, api_as):
    r = put_in_place(wb, location=LocationFactory())
    payload.setdefault("evidence", evidence_for(wb.pack, "change"))
    response = api_as(wb.officer).post(f"{RESTRICTIONS}{r.pk}/change/", payload, format="json")
    assert response.status_code == 400
    assert field in errors_of(response), response.content
    assert not Recommendation.objects.filter(kind="restriction_change").exists()


def test_changing_a_restriction_not_in_place_is_409(wb, api_as):
    r = propose(wb)
    response = api_as(wb.officer).post(
        f"{RESTRICTIONS}{r.pk}/change/",
        {"level": "caution", "reasons": "x", "evidence": evidence_for(wb.pack, "change")},
        format="json",
    )
    assert response.status_code == 409
    lifted = lift(wb, put_in_place(wb, location=LocationFactory()))
    response = api_as(wb.officer).post(
        f"{RESTRICTIONS}{lifted.pk}/change/",
        {"level": "caution", "reasons": "x", "evidence": evidence_for(wb.pack, "change")},
        format="json",
    )
    assert response.status_code == 409


def test_a_second_change_while_one_waits_is_409(wb, api_as):
    r = put_in_place(wb, location=LocationFactory())
    client = api_as(wb.officer)
    payload = {"level": "caution", "reasons": "x", "evidence": evidence_for(wb.pack, "change")}
    assert client.post(f"{RESTRICTIONS}{r.pk}/change/", payload, format="json").status_code == 200
    response = client.post(f"{RESTRICTIONS}{r.pk}/change/", payload, format="json")
    assert response.status_code == 409
    assert Recommendation.objects.filter(kind="restriction_change").count() == 1


# --- reviewing, the contact, withdrawing, dismissing ----------------------------------------


def test_a_review_sets_the_next_review_date(wb, api_as):
    """004 20.1: "reviewed on a case-by-case basis by the CQT"."""
    r = put_in_place(wb, location=LocationFactory())
    next_review = today() + dt.timedelta(days=60)
    response = api_as(wb.manager).post(
        f"{RESTRICTIONS}{r.pk}/review/",
        {"note": "Plan on track", "next_review_on": next_review.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["review_on"] == next_review.isoformat()
    assert body["events"][-1]["kind"] == "reviewed"
    assert Timer.objects.filter(
        kind="restrictions.review", subject_id=str(r.pk), status="running", due_on=next_review
    ).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"note": "", "next_review_on": "2030-01-01"}, "note"),
        ({"note": "x", "next_review_on": None}, "next_review_on"),
        ({"note": "x", "next_review_on": "2020-01-01"}, "next_review_on"),
        ({"note": "x"}, "next_review_on"),
        ({"note": "x", "next_review_on": "2027-01-01", "hold": True}, "hold"),
    ],
)
def test_a_bad_review_is_400_naming_the_field(payload, field, wb, api_as):
    """West Berkshire holds nothing after compliance (that is Somerset's rule, 003 2.5)."""
    if payload.get("next_review_on") == "2027-01-01":
        payload["next_review_on"] = (today() + dt.timedelta(days=30)).isoformat()
    r = put_in_place(wb, location=LocationFactory())
    response = api_as(wb.officer).post(f"{RESTRICTIONS}{r.pk}/review/", payload, format="json")
    assert response.status_code == 400
    assert field in errors_of(response), response.content
    assert not RestrictionEvent.objects.filter(kind="reviewed").exists()


def test_somerset_holds_a_red_for_six_months_after_compliance(somerset, api_as):
    """003 2.5: "continue to suspend making new placements for a minimum period of at least six
    months, even after CQC compliance is achieved"; lifting before then is 409."""
    r = put_in_place(somerset, location=LocationFactory())
    client = api_as(somerset.officer)
    compliance = today() - dt.timedelta(days=10)
    response = client.post(
        f"{RESTRICTIONS}{r.pk}/review/",
        {
            "note": "Compliant at the CQC's visit; standards have fluctuated.",
            "next_review_on": (today() + dt.timedelta(days=30)).isoformat(),
            "hold": True,
            "compliance_on": compliance.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    hold_until = response.json()["hold_until"]
    assert dt.date.fromisoformat(hold_until) > today() + dt.timedelta(days=170)
    response = client.post(
        f"{RESTRICTIONS}{r.pk}/change/",
        {"level": "none", "reasons": "Compliant", "evidence": evidence_for(somerset.pack, "lift")},
        format="json",
    )
    assert response.status_code == 409
    assert "003 2.5" in response.json()["detail"]


def test_reviewing_a_proposal_is_409(wb, api_as):
    r = propose(wb)
    response = api_as(wb.officer).post(
        f"{RESTRICTIONS}{r.pk}/review/",
        {"note": "x", "next_review_on": (today() + dt.timedelta(days=9)).isoformat()},
        format="json",
    )
    assert response.status_code == 409


def test_the_contact_to_call_first_is_kept_current(wb, api_as):
    """003 memo: "Staff must first contact the named manager"; the status shows the new one."""
    r = put_in_place(wb, location=LocationFactory())
    response = api_as(wb.officer).post(
        f"{RESTRICTIONS}{r.pk}/contact/",
        {
            "contact": {
                "name": "Jo Bloggs",
                "phone": "01635 000 111",
                "email": "jo@example.gov.uk",
            },
            "exceptions": "Increases to existing packages (004 13.2)",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    status = api_as(wb.placement).get(f"/api/v1/placements/{r.location_id}/").json()
    assert status["contact"] == {
        "name": "Jo Bloggs",
        "telephone": "01635 000 111",
        "email": "jo@example.gov.uk",
    }
    assert status["exceptions"] == "Increases to existing packages (004 13.2)"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"contact": {"email": "nope"}, "exceptions": ""}, "contact.email"),
        ({"contact": {"phone": "ring ring"}, "exceptions": ""}, "contact.phone"),
        ({"contact": {"name": "x"}}, "exceptions"),
        ({"exceptions": ""}, "contact"),
    ],
)
def test_a_bad_contact_is_400_naming_the_field(payload, field, wb, api_as):
    r = put_in_place(wb, location=LocationFactory())
    response = api_as(wb.officer).post(f"{RESTRICTIONS}{r.pk}/contact/", payload, format="json")
    assert response.status_code == 400
    assert field in errors_of(response), response.content
    r.refresh_from_db()
    assert r.contact_name == CONTACT["name"]


def test_changing_the_contact_of_a_lifted_restriction_is_409(wb, api_as):
    r = lift(wb, put_in_place(wb, location=LocationFactory()))
    response = api_as(wb.officer).post(
        f"{RESTRICTIONS}{r.pk}/contact/",
        {"contact": {"name": "x"}, "exceptions": ""},
        format="json",
    )
    assert response.status_code == 409


def test_the_proposer_withdraws_a_proposal(wb, api_as):
    r = propose(wb)
    response = api_as(wb.officer).post(
        f"{RESTRICTIONS}{r.pk}/withdraw/", {"reason": "Resolved at the meeting"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert Recommendation.objects.get(pk=r.recommendation_id).status == "withdrawn"


def test_withdrawing_needs_a_reason_and_a_proposal(wb, api_as):
    client = api_as(wb.officer)
    r = propose(wb)
    response = client.post(f"{RESTRICTIONS}{r.pk}/withdraw/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in errors_of(response)
    active = put_in_place(wb, location=LocationFactory())
    response = client.post(f"{RESTRICTIONS}{active.pk}/withdraw/", {"reason": "x"}, format="json")
    assert response.status_code == 409


def test_a_suggestion_is_dismissed_saying_why(wb, api_as):
    o = everything(wb)
    client = api_as(wb.manager)
    response = client.post(
        f"{RESTRICTIONS}{o.suggestion.pk}/dismiss/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in errors_of(response)
    response = client.post(
        f"{RESTRICTIONS}{o.suggestion.pk}/dismiss/",
        {"reason": "The CQC rating is under review"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = client.post(f"{RESTRICTIONS}{o.suggestion.pk}/dismiss/", {"reason": "x"}, format="json")
    assert again.status_code == 409
    assert (
        client.post(
            f"{RESTRICTIONS}{o.active.pk}/dismiss/", {"reason": "x"}, format="json"
        ).status_code
        == 409
    )


# --- another council's ----------------------------------------------------------------------


def test_another_councils_restrictions_are_404_and_unchanged(wb, bedford, api_as):
    theirs = everything(bedford)
    client = api_as(wb.officer)
    assert client.get(f"{RESTRICTIONS}{theirs.active.pk}/").status_code == 404
    next_review = (today() + dt.timedelta(days=9)).isoformat()
    for url, payload in [
        (
            f"{RESTRICTIONS}{theirs.active.pk}/change/",
            {"level": "caution", "reasons": "x", "evidence": evidence_for(wb.pack, "change")},
        ),
        (f"{RESTRICTIONS}{theirs.active.pk}/review/", {"note": "x", "next_review_on": next_review}),
        (f"{RESTRICTIONS}{theirs.active.pk}/contact/", {"contact": {}, "exceptions": ""}),
        (f"{RESTRICTIONS}{theirs.proposal.pk}/withdraw/", {"reason": "x"}),
        (f"{RESTRICTIONS}{theirs.suggestion.pk}/dismiss/", {"reason": "x"}),
        (RESTRICTIONS, proposal(wb, location=None, suggestion=theirs.suggestion.pk)),
        (
            "/api/v1/restriction-appeals/",
            {"restriction": theirs.active.pk, "received_on": today().isoformat(), "grounds": "x"},
        ),
        (f"{NOTICES}{theirs.notice.pk}/sent/", {"sent_on": today().isoformat(), "how": "x"}),
    ]:
        response = client.post(url, payload, format="json")
        assert response.status_code == 404, (url, response.content)
    assert Restriction.objects.filter(council=wb.council).count() == 0
    theirs.suggestion.refresh_from_db()
    theirs.proposal.refresh_from_db()
    assert (theirs.suggestion.status, theirs.proposal.status) == ("suggested", "proposed")
    assert not RestrictionEvent.objects.filter(kind__in=["reviewed", "withdrawn"]).exists()
    assert Appeal.objects.count() == 0  # Bedford's pack has no appeals
    assert Notice.objects.filter(pk=theirs.notice.pk, status="requested").exists()


# --- appeals (004 19.2) ---------------------------------------------------------------------


def test_an_appeal_in_time_goes_to_the_service_director(wb, api_as):
    """004 19.2: "The Service Director of Adult Social Care will review the decision within 21
    days of the appeal"."""
    r = put_in_place(wb, location=LocationFactory(), told=True)
    response = api_as(wb.officer).post(
        APPEALS,
        {
            "restriction": r.pk,
            "received_on": today().isoformat(),
            "grounds": "The CQC's findings are out of date",
            "evidence": [{"kind": "appeal_letter", "note": "Letter of today"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["restriction_reference"]) == ("lodged", r.reference)
    assert body["due_on"] == wb.pack.policy.due("appeal_decision", today()).isoformat()
    rec = Recommendation.objects.get(pk=body["recommendation"])
    assert rec.awaiting_label == "Decision of the Service Director of Adult Social Care"
    listed = api_as(wb.auditor).get(f"{APPEALS}?status=lodged").json()["results"]
    assert [a["id"] for a in listed] == [body["id"]]
    assert api_as(wb.auditor).get(f"{APPEALS}?status=upheld").json()["results"] == []


def test_a_late_appeal_is_400_naming_the_last_day(wb, api_as):
    """004 19.2: "the request must be made within 5 working days": a letter on Thursday 27
    August 2026 (the bank holiday on Monday 31 August not counted) may be appealed until
    Friday 4 September; an appeal on Monday 7 September is refused."""
    r = put_in_place(wb, location=LocationFactory())
    Notice.objects.filter(restriction=r).update(
        requested_at=dt.datetime(2026, 8, 20, tzinfo=dt.UTC)
    )
    tell_provider(wb, r, on=dt.date(2026, 8, 27))
    response = api_as(wb.officer).post(
        APPEALS,
        {"restriction": r.pk, "received_on": "2026-09-07", "grounds": "Out of date"},
        format="json",
    )
    assert response.status_code == 400
    message = errors_of(response)["received_on"][0]
    assert "Friday 4 September 2026" in message
    assert "27 August 2026" in message
    assert not Appeal.objects.exists()
    on_time = api_as(wb.officer).post(
        APPEALS,
        {"restriction": r.pk, "received_on": "2026-09-04", "grounds": "Out of date"},
        format="json",
    )
    assert on_time.status_code == 201, on_time.content


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"grounds": ""}, "grounds"),
        ({"received_on": "2099-01-01"}, "received_on"),
        ({"received_on": "yesterday"}, "received_on"),
        ({"restriction": "abc"}, "restriction"),
        ({"evidence": [{"kind": "rumour", "note": "x"}]}, "evidence"),
    ],
)
def test_a_bad_appeal_is_400_naming_the_field(changes, field, wb, api_as):
    r = put_in_place(wb, location=LocationFactory(), told=True)
    payload = {"restriction": r.pk, "received_on": today().isoformat(), "grounds": "x", **changes}
    response = api_as(wb.officer).post(APPEALS, payload, format="json")
    assert response.status_code == 400
    assert field in errors_of(response), response.content
    assert not Appeal.objects.exists()


def test_an_appeal_before_the_letter_or_while_one_waits_is_409(wb, api_as):
    client = api_as(wb.officer)
    r = put_in_place(wb, location=LocationFactory())
    payload = {"restriction": r.pk, "received_on": today().isoformat(), "grounds": "x"}
    response = client.post(APPEALS, payload, format="json")
    assert response.status_code == 409
    assert "decision letter" in response.json()["detail"]
    tell_provider(wb, r)
    assert client.post(APPEALS, payload, format="json").status_code == 201
    assert client.post(APPEALS, payload, format="json").status_code == 409
    assert Appeal.objects.count() == 1


def test_another_councils_appeals_notices_and_lists_are_404_and_never_listed(wb, bedford, api_as):
    o = everything(wb)
    client = api_as(bedford.manager)  # reads restrictions and the checks log in Bedford
    for url in [
        f"{APPEALS}{o.appeal.pk}/",
        f"{NOTICES}{o.notice.pk}/",
        f"{LISTS}{o.issue.pk}/",
        f"{LISTS}{o.issue.pk}/csv/",
        f"{CHECKS}{o.check.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [APPEALS, NOTICES, f"{NOTICES}?status=sent", LISTS, CHECKS]:
        assert client.get(url).json()["results"] == [], url


# --- notices (004 19.1-19.5) ----------------------------------------------------------------


def test_notices_to_send_and_recording_one_sent(wb, api_as):
    """004 19.1: the provider told in writing within five working days; the letter opens the
    time to appeal (004 19.2)."""
    r = put_in_place(wb, location=LocationFactory())
    client = api_as(wb.officer)
    due = client.get(NOTICES).json()["results"]
    letter = next(n for n in due if n["audience"] == "provider")
    assert (
        letter["due_on"] == wb.pack.policy.due("restriction_decision_notice", today()).isoformat()
    )
    assert {n["audience"] for n in due} == {"provider", "staff", "agencies", "cqc"}
    response = client.post(
        f"{NOTICES}{letter['id']}/sent/",
        {"sent_on": today().isoformat(), "how": "Letter by email to the registered manager"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["sent_on"]) == ("sent", today().isoformat())
    assert letter["id"] not in {n["id"] for n in client.get(NOTICES).json()["results"]}
    assert [n["id"] for n in client.get(f"{NOTICES}?status=sent").json()["results"]] == [
        letter["id"]
    ]
    timers = Timer.objects.filter(subject_id=str(r.pk))
    assert timers.get(kind="restrictions.tell_provider").status == "met"
    assert timers.get(kind="restrictions.appeal_window").status == "running"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sent_on": "2099-01-01", "how": "Post"}, "sent_on"),
        ({"sent_on": "2020-01-01", "how": "Post"}, "sent_on"),
        ({"how": "Post"}, "sent_on"),
        ({"sent_on": "TODAY", "how": ""}, "how"),
    ],
)
def test_a_bad_notice_record_is_400_naming_the_field(payload, field, wb, api_as):
    r = put_in_place(wb, location=LocationFactory())
    notice = r.notices.first()
    if payload.get("sent_on") == "TODAY":
        payload["sent_on"] = today().isoformat()
    response = api_as(wb.officer).post(f"{NOTICES}{notice.pk}/sent/", payload, format="json")
    assert response.status_code == 400
    assert field in errors_of(response), response.content
    notice.refresh_from_db()
    assert notice.status == "requested"


def test_recording_a_notice_sent_twice_is_409(wb, api_as):
    r = put_in_place(wb, location=LocationFactory())
    notice = r.notices.first()
    client = api_as(wb.officer)
    payload = {"sent_on": today().isoformat(), "how": "By email"}
    assert client.post(f"{NOTICES}{notice.pk}/sent/", payload, format="json").status_code == 200
    response = client.post(f"{NOTICES}{notice.pk}/sent/", payload, format="json")
    assert response.status_code == 409


# --- lists ----------------------------------------------------------------------------------


def test_issuing_a_list_and_reading_it_as_json_and_csv(wb, api_as, api_token):
    """004 19.3: "The Providers with Restrictions List will be circulated by the CQT by email
    to service managers"; each issue kept as issued."""
    provider, first, second = two_services()
    put_in_place(wb, provider=provider)
    caution = put_in_place(wb, location=LocationFactory(name="Thatcham House"), level="caution")
    client = api_as(wb.officer)
    response = client.post(LISTS, {"list": "providers_with_restrictions"}, format="json")
    assert response.status_code == 201, response.content
    issue = response.json()
    assert (issue["number"], issue["title"]) == (1, "Providers with Restrictions List")
    sections = {s["heading"]: s for s in issue["content"]["sections"]}
    embargo = [e["name"] for g in sections["Embargo"]["groups"] for e in g["entries"]]
    assert sorted(embargo) == sorted([first.name, second.name])
    cautious = [e["name"] for g in sections["Place with Caution"]["groups"] for e in g["entries"]]
    assert cautious == ["Thatcham House"]
    assert {"label": "Care Quality Team", "email": "carequality@westberks.gov.uk"} in issue[
        "recipients"
    ]
    # Read by a case-management system with `placements:read`, as JSON and CSV.
    system = api_token(wb.council, ("placements:read",))
    listed = system.get(f"{LISTS}?list=providers_with_restrictions").json()["results"]
    assert [i["id"] for i in listed] == [issue["id"]]
    assert system.get(f"{LISTS}?list=other").json()["results"] == []
    assert system.get(f"{LISTS}{issue['id']}/").json()["content"] == issue["content"]
    response = system.get(f"{LISTS}{issue['id']}/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert issue["reference"] in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0].startswith("Subject to freedom of information requests")
    assert rows[1][0].startswith("Providers with Restrictions List, no. 1")
    text = response.content.decode()
    for name in (first.name, second.name, "Thatcham House"):
        assert name in text
    # Kept as issued: lifting after the issue changes the issue not at all.
    lift(wb, caution)
    assert system.get(f"{LISTS}{issue['id']}/").json()["content"] == issue["content"]


def test_issuing_a_list_the_pack_does_not_name_is_404_and_without_a_name_400(wb, bedford, api_as):
    client = api_as(wb.officer)
    assert client.post(LISTS, {"list": "managed_placements_memo"}, format="json").status_code == 404
    response = client.post(LISTS, {}, format="json")
    assert response.status_code == 400
    assert "list" in errors_of(response)
    # Bedford's pack names no list.
    bedford_client = api_as(bedford.officer)
    assert (
        bedford_client.post(
            LISTS, {"list": "providers_with_restrictions"}, format="json"
        ).status_code
        == 404
    )
    assert not ListIssue.objects.exists()


def test_somersets_memo_is_confidential_grouped_by_area_with_service_codes(somerset, api_as):
    """003 memo: "CONFIDENTIAL"; grouped by Taunton, Mendip, Sedgemoor and West Somerset, South
    Somerset; the service type code and the contact's name and telephone."""
    location = LocationFactory(
        name="Quantock House", postcode="TA1 2AB", postcode_key="TA12AB", local_authority="Somerset"
    )
    put_in_place(somerset, location=location)
    client = api_as(somerset.manager)
    issue = client.post(LISTS, {"list": "managed_placements_memo"}, format="json").json()
    assert issue["content"]["marking"] == "CONFIDENTIAL"
    red = issue["content"]["sections"][0]
    assert red["heading"] == "RED - NOT CURRENTLY PLACING"
    taunton = next(g for g in red["groups"] if g["area"] == "Taunton")
    assert [(e["name"], e["contact"], e["telephone"]) for e in taunton["entries"]] == [
        ("Quantock House", CONTACT["name"], CONTACT["phone"])
    ]
    csv_text = client.get(f"{LISTS}{issue['id']}/csv/").content.decode()
    assert csv_text.splitlines()[0] == "CONFIDENTIAL"
    assert "Quantock House" in csv_text and "Taunton" in csv_text


# --- the checks log -------------------------------------------------------------------------


def test_the_checks_log_lists_who_checked_what_newest_first(wb, api_as):
    location = LocationFactory()
    put_in_place(wb, location=location)
    placer = api_as(wb.placement)
    placer.get(f"/api/v1/placements/{location.cqc_location_id}/")
    placer.post("/api/v1/placements/lookup/", {"ids": [location.pk, "1-999"]}, format="json")
    rows = api_as(wb.manager).get(CHECKS).json()["results"]
    assert [(c["via"], c["found"]) for c in rows] == [("bulk", 1), ("api", 1)]
    assert rows[1]["query"] == location.cqc_location_id
    assert rows[1]["shown"] == [[location.pk, "suspended", []]]
    assert api_as(wb.manager).get(f"{CHECKS}{rows[0]['id']}/").json() == rows[0]


def test_a_whole_provider_list_entry_lists_each_service(wb, api_as):
    provider = ProviderFactory()
    put_in_place(wb, provider=provider)  # no services in the register yet: listed once
    issue = api_as(wb.officer).post(LISTS, {"list": "providers_with_restrictions"}, format="json")
    entries = [
        e for s in issue.json()["content"]["sections"] for g in s["groups"] for e in g["entries"]
    ]
    assert [(e["name"], e["whole_provider"]) for e in entries] == [
        (f"{provider.name} (all services)", True)
    ]


def test_the_list_runs_the_same_queries_for_one_restriction_and_for_ten(wb, api_as):
    """Every field the list shows is read with the page (a field left out once cost a query a
    row: 50 queries for a page of 15, found by the load bench)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.restrictions.conftest import propose

    client = api_as(wb.officer)
    propose(wb)
    client.get("/api/v1/restrictions/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/restrictions/").json()["count"] == 1
    for _ in range(9):
        propose(wb)
    with CaptureQueriesContext(connection) as ten:
        assert client.get("/api/v1/restrictions/").json()["count"] == 10
    assert len(ten.captured_queries) == len(one.captured_queries)

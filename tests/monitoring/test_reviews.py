"""Reviews and visits: the types in each council's pack, their due dates and frequency."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from councils.models import Role
from monitoring.models import Review
from monitoring.services import commissioning_save, review_plan, review_record, review_report_sent
from monitoring.services.risk import risk_recompute
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def bradford(load_pack):
    return load_pack("bradford")


@pytest.fixture
def somerset(load_pack):
    return load_pack("somerset")


def plan(council, kind, location=None, **kw):
    return review_plan(
        council=council,
        location=location or LocationFactory(),
        actor=None,
        kind=kind,
        planned_for=kw.pop("planned_for", TODAY),
        **kw,
    )


def record(review, **kw):
    values = {"visited_on": TODAY, "findings": "Care plans up to date.", **kw}
    return review_record(review=review, actor=None, **values)


def test_only_reactive_visits_are_unannounced(bradford):
    """002 5.3.3: "Reactive visits are the only visits undertaken on an unannounced basis." """
    with pytest.raises(ValidationFailed) as caught:
        plan(bradford, "proactive", announced=False)
    assert "announced" in caught.value.errors
    assert plan(bradford, "reactive", announced=False).announced is False


def test_the_visit_report_is_due_within_ten_days(council_b):
    """004 9.1: the visit record is typed and sent within 10 days."""
    review = record(plan(council_b, "proactive_annual"), visited_on=dt.date(2026, 3, 2))
    assert review.report_due_on == dt.date(2026, 3, 12)
    with pytest.raises(ValidationFailed):
        review_report_sent(review=review, actor=None, sent_on=dt.date(2026, 3, 1))
    review_report_sent(review=review, actor=None, sent_on=dt.date(2026, 3, 9))
    assert review.report_sent_on == dt.date(2026, 3, 9)


def test_self_certification_is_due_in_fourteen_working_days(council_b):
    """004 8.1: "a self-certification form which should be forwarded ... within 14 working
    days" (Good Friday and Easter Monday 2026 are not working days)."""
    review = plan(council_b, "self_certification", planned_for=dt.date(2026, 3, 30))
    assert review.self_certification_due_on == dt.date(2026, 4, 21)


def test_next_contract_visit_in_24_months_when_good_with_positive_feedback(somerset):
    """003 1.13: "Where there is a Good or above CQC rating with positive feedback from other
    sources the provider can expect a Contract Visit within a 24-month period." """
    loc = LocationFactory(local_authority="Somerset", overall_rating="Good")
    risk_recompute(council=somerset)
    review = record(plan(somerset, "contract_visit", loc), visited_on=dt.date(2026, 1, 15))
    assert review.next_due_on == dt.date(2028, 1, 15)
    assert "24 months" in review.next_due_reason and "003 1.13" in review.next_due_reason


def test_next_contract_visit_in_12_months_with_concerns(somerset):
    loc = LocationFactory(local_authority="Somerset", overall_rating="Requires improvement")
    risk_recompute(council=somerset)
    review = record(plan(somerset, "contract_visit", loc), visited_on=dt.date(2026, 1, 15))
    assert review.next_due_on == dt.date(2027, 1, 15)


def test_market_risk_providers_are_visited_yearly(somerset):
    """003 1.13: "Providers deemed to be a market risk can expect an annual contract visit." """
    loc = LocationFactory(local_authority="Somerset", overall_rating="Outstanding")
    commissioning_save(
        council=somerset, location=loc, actor=None, contract_type="block", in_area=True, people=5
    )
    risk_recompute(council=somerset)
    review = record(plan(somerset, "contract_visit", loc), visited_on=dt.date(2026, 1, 15))
    assert review.next_due_on == dt.date(2027, 1, 15)
    assert "market risk" in review.next_due_reason


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"visited_on": TODAY + dt.timedelta(days=1)}, "visited_on"),
        ({"findings": " "}, "findings"),
        ({"announced": False}, "announced"),
    ],
)
def test_bad_records_name_the_field(change, field, council_b):
    review = plan(council_b, "proactive_annual")
    with pytest.raises(ValidationFailed) as caught:
        record(review, **change)
    assert field in caught.value.errors
    review.refresh_from_db()
    assert review.status == "planned"  # nothing half-saved


def test_a_cancelled_review_cannot_be_recorded(council_b):
    review = plan(council_b, "thematic")
    Review.objects.filter(pk=review.pk).update(status="cancelled")
    review.refresh_from_db()
    with pytest.raises(Conflict):
        record(review)


def test_an_unknown_kind_or_an_outside_officer_is_refused(council_a, council_b, member):
    with pytest.raises(ValidationFailed) as caught:
        plan(council_b, "picnic")
    assert "kind" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        plan(council_b, "thematic", officers=[member(council_a, Role.OFFICER)])
    assert "officers" in caught.value.errors


def test_reviews_due_and_overdue_per_officer(council_b, member, signed_in):
    me, other = member(council_b, Role.OFFICER), member(council_b, Role.OFFICER)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY - dt.timedelta(days=400)):
        old = record(
            plan(
                council_b,
                "proactive_annual",
                officers=[me],
                planned_for=TODAY - dt.timedelta(days=400),
            ),
            visited_on=TODAY - dt.timedelta(days=400),
        )
    late_report = record(
        plan(council_b, "reactive", officers=[other]), visited_on=TODAY - dt.timedelta(days=20)
    )
    plan(council_b, "thematic", officers=[me], planned_for=TODAY + dt.timedelta(days=3))
    client = signed_in(me)
    everyone = client.get("/reviews/").content.decode()
    assert "Overdue" in everyone and old.location.name in everyone
    assert late_report.location.name in everyone  # report not sent within 10 days (004 9.1)
    mine = client.get("/reviews/?mine=1").content.decode()
    assert old.location.name in mine and late_report.location.name not in mine

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/reviews/")
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(10):
        plan(council_b, "thematic", officers=[me])
    assert queries() == few


def test_plan_and_record_through_the_pages(council_b, member, signed_in):
    officer = member(council_b, Role.OFFICER)
    loc = LocationFactory(local_authority="West Berkshire")
    client = signed_in(officer)
    bad = client.post(
        f"/locations/{loc.pk}/reviews/new/", {"kind": "proactive_annual", "announced": "True"}
    )
    assert "There is a problem" in bad.content.decode()
    assert 'href="#id_planned_for_0"' in bad.content.decode()
    made = client.post(
        f"/locations/{loc.pk}/reviews/new/",
        {
            "kind": "proactive_annual",
            "announced": "True",
            "planned_for": TODAY.isoformat(),
            "officers": [officer.pk],
        },
    )
    assert made.status_code == 302
    review = Review.objects.get()
    url = f"/reviews/{review.pk}/"
    future = client.post(
        url,
        {
            "action": "record",
            "record-announced": "True",
            "record-visited_on": (TODAY + dt.timedelta(days=2)).isoformat(),
            "record-findings": "Fine",
        },
    )
    assert 'href="#id_record-visited_on_0"' in future.content.decode()
    done = client.post(
        url,
        {
            "action": "record",
            "record-announced": "True",
            "record-visited_on": TODAY.isoformat(),
            "record-findings": "Medicines well managed.",
            "record-people_spoken_to": "Two residents, the manager",
        },
    )
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "Medicines well managed." in page and 'data-testid="next-due"' in page
    assert "Proactive annual review" in client.get(f"/locations/{loc.pk}/").content.decode()


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [(Role.OFFICER, 200, 201), (Role.AUDITOR, 200, 403), (Role.PLACEMENT, 403, 403)],
)
def test_reviews_api_per_role(role, read, write, council_b, member, api_as):
    client = api_as(member(council_b, role))
    assert client.get("/api/v1/reviews/").status_code == read
    loc = LocationFactory()
    made = client.post(
        "/api/v1/reviews/",
        {"location": loc.pk, "kind": "thematic", "planned_for": TODAY.isoformat()},
        format="json",
    )
    assert made.status_code == write


def test_reviews_api_record_and_bad_input(council_b, officer_b, api_as, api):
    assert api.get("/api/v1/reviews/").status_code == 401
    client = api_as(officer_b)
    review = plan(council_b, "proactive_annual")
    bad = client.post(
        f"/api/v1/reviews/{review.pk}/record/",
        {"visited_on": (TODAY + dt.timedelta(days=1)).isoformat(), "findings": "x"},
        format="json",
    )
    assert bad.status_code == 400 and "visited_on" in bad.json()["errors"]
    ok = client.post(
        f"/api/v1/reviews/{review.pk}/record/",
        {"visited_on": TODAY.isoformat(), "findings": "All well"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "completed"
    assert ok.json()["report_due_on"] == (TODAY + dt.timedelta(days=10)).isoformat()
    again = client.post(
        f"/api/v1/reviews/{review.pk}/report-sent/", {"sent_on": TODAY.isoformat()}, format="json"
    )
    assert again.status_code == 200
    assert client.get("/api/v1/reviews/999999/").status_code == 404
    unannounced = client.post(
        "/api/v1/reviews/",
        {
            "location": LocationFactory().pk,
            "kind": "thematic",
            "planned_for": TODAY.isoformat(),
            "announced": False,
        },
        format="json",
    )
    assert unannounced.status_code == 400 and "announced" in unannounced.json()["errors"]


def test_a_recorded_review_cannot_be_recorded_again(council_b):
    review = record(plan(council_b, "proactive_annual"))
    with pytest.raises(Conflict):
        record(review, findings="Overwritten")
    review.refresh_from_db()
    assert review.findings == "Care plans up to date."


def test_recording_a_review_refreshes_the_risk_rating(
    council_b, django_capture_on_commit_callbacks
):
    """An overdue review stops counting as soon as the review is recorded."""
    from monitoring.models import RiskRating

    loc = LocationFactory(local_authority="West Berkshire", overall_rating="Good")
    first = record(plan(council_b, "proactive_annual", loc))
    Review.objects.filter(pk=first.pk).update(next_due_on=TODAY - dt.timedelta(days=3))
    risk_recompute(council=council_b)
    assert RiskRating.objects.get(location=loc).score == 3  # review overdue
    with django_capture_on_commit_callbacks(execute=True):
        record(plan(council_b, "reactive", loc))
    assert RiskRating.objects.get(location=loc).score == 0


def test_tokens_need_their_own_scope_for_reviews(council_b, api_token):
    loc = LocationFactory()
    payload = {"location": loc.pk, "kind": "thematic", "planned_for": TODAY.isoformat()}
    assert (
        api_token(council_b, ["intelligence:write"])
        .post("/api/v1/reviews/", payload, format="json")
        .status_code
        == 403
    )
    assert (
        api_token(council_b, ["monitoring:write"])
        .post("/api/v1/reviews/", payload, format="json")
        .status_code
        == 201
    )

"""Improvement plans and Serious Concerns action plans. 004 16.2: an Embargo is usual where
"The Provider has failed to meet the majority of the requirements of an Improvement plan on
more than 3 reviews"; 001 Appendix 3: an action plan identifies "What is to be improved; Who
will be responsible for making which improvements; Who in the Council will be responsible for
monitoring the improvements; Timescales and dates for completion"."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from councils.models import Role
from monitoring.models import RiskRating
from monitoring.services import plan_action_add, plan_create, plan_is_failing, plan_review_record
from monitoring.services.risk import risk_recompute
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=120)


def action(monitor, what="Audit MAR charts weekly", days=30):
    return {
        "what": what,
        "provider_lead": "Registered manager",
        "council_monitor": monitor,
        "due_on": START + dt.timedelta(days=days),
    }


@pytest.fixture
def plan(council_b, officer_b):
    loc = LocationFactory(local_authority="West Berkshire", overall_rating="Good")
    return plan_create(
        council=council_b,
        location=loc,
        actor=officer_b,
        title="Medicines",
        started_on=START,
        actions=[
            action(officer_b),
            action(officer_b, "Train night staff"),
            action(officer_b, "Fix the call bells"),
        ],
    )


def review(plan, met: set[int], days: int, officer=None):
    results = {a.pk: a.pk in met for a in plan.actions.exclude(status="met")}
    return plan_review_record(
        plan=plan, actor=officer, results=results, reviewed_on=START + dt.timedelta(days=days)
    )


def test_an_action_due_before_its_plan_started_is_refused(council_b, officer_b):
    loc = LocationFactory()
    bad = action(officer_b)
    bad["due_on"] = START - dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        plan_create(
            council=council_b,
            location=loc,
            actor=None,
            title="x",
            started_on=START,
            actions=[action(officer_b), bad],
        )
    assert "actions[1].due_on" in caught.value.errors


def test_each_action_names_what_who_monitor_and_when(plan, council_b, council_a, member):
    outsider = member(council_a, Role.OFFICER)
    with pytest.raises(ValidationFailed) as caught:
        plan_action_add(
            plan=plan, actor=None, what="", provider_lead="", council_monitor=outsider, due_on=START
        )
    assert set(caught.value.errors) == {"what", "provider_lead", "council_monitor"}


def test_more_than_three_failed_reviews_flags_the_plan_and_raises_the_risk(plan, council_b):
    """004 16.2: "failed to meet the majority of the requirements ... on more than 3 reviews"."""
    risk_recompute(council=council_b)
    before = RiskRating.objects.get(location=plan.location).score
    first = plan.actions.first().pk
    for n in range(3):
        review(plan, met=set() if n else {first}, days=30 + n)  # 1 of 3 met, then 0 of 2
    plan.refresh_from_db()
    assert plan.failed_reviews == 3 and not plan_is_failing(plan)  # 3 is not "more than 3"
    review(plan, met=set(), days=40)
    plan.refresh_from_db()
    assert plan.failed_reviews == 4 and plan_is_failing(plan)
    risk_recompute(council=council_b)
    after = RiskRating.objects.get(location=plan.location)
    assert after.score == before + 10
    assert any(f["factor"] == "Failing improvement plan" for f in after.factors)


def test_a_review_where_most_actions_are_met_is_not_a_failure(plan):
    ids = list(plan.actions.values_list("pk", flat=True))
    r = review(plan, met=set(ids[:2]), days=30)
    plan.refresh_from_db()
    assert not r.majority_not_met and plan.failed_reviews == 0


def test_a_review_must_judge_every_open_action_and_not_be_in_the_future(plan):
    some = {plan.actions.first().pk: True}
    with pytest.raises(ValidationFailed) as caught:
        plan_review_record(plan=plan, actor=None, results=some, reviewed_on=TODAY)
    assert "results" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        review(plan, met=set(), days=200)
    assert "reviewed_on" in caught.value.errors


def test_a_plan_with_every_action_met_is_completed(plan):
    review(plan, met=set(plan.actions.values_list("pk", flat=True)), days=60)
    plan.refresh_from_db()
    assert plan.status == "completed"
    with pytest.raises(Conflict):
        review(plan, met=set(), days=61)


def test_serious_concerns_action_plan_uses_the_same_structure(council_a, officer_a):
    plan = plan_create(
        council=council_a,
        location=LocationFactory(),
        actor=officer_a,
        kind="serious_concerns",
        title="Whole service concern",
        started_on=START,
        actions=[action(officer_a)],
    )
    assert plan.get_kind_display() == "Serious Concerns action plan"


def test_plan_pages(plan, officer_b, signed_in):
    client = signed_in(officer_b)
    url = f"/plans/{plan.pk}/"
    page = client.get(url).content.decode()
    assert "Train night staff" in page and "Review the plan" in page
    bad = client.post(url, {"action": "review", "review-reviewed_on": TODAY.isoformat()})
    assert "There is a problem" in bad.content.decode()
    data = {"action": "review", "review-reviewed_on": TODAY.isoformat()}
    for a in plan.actions.all():
        data[f"review-action_{a.pk}"] = "not_met"
    assert client.post(url, data).status_code == 302
    late = client.post(
        url,
        {
            "action": "add",
            "add-what": "Repaint",
            "add-provider_lead": "Owner",
            "add-council_monitor": officer_b.pk,
            "add-due_on": (START - dt.timedelta(days=3)).isoformat(),
        },
    )
    assert 'href="#id_add-due_on_0"' in late.content.decode()
    new = client.post(
        f"/locations/{plan.location_id}/plans/new/",
        {"kind": "improvement", "title": "Falls", "started_on": TODAY.isoformat()},
    )
    assert new.status_code == 302
    assert "Falls" in client.get(f"/locations/{plan.location_id}/").content.decode()


def test_plans_api(plan, council_b, officer_b, member, api_as):
    client = api_as(officer_b)
    body = client.get(f"/api/v1/improvement-plans/{plan.pk}/").json()
    assert len(body["actions"]) == 3 and body["failing"] is False
    ids = [a["id"] for a in body["actions"]]
    bad = client.post(
        f"/api/v1/improvement-plans/{plan.pk}/review/",
        {"reviewed_on": TODAY.isoformat(), "results": {str(ids[0]): True}},
        format="json",
    )
    assert bad.status_code == 400 and "results" in bad.json()["errors"]
    ok = client.post(
        f"/api/v1/improvement-plans/{plan.pk}/review/",
        {"reviewed_on": TODAY.isoformat(), "results": {str(i): False for i in ids}},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["failed_reviews"] == 1
    made = client.post(
        "/api/v1/improvement-plans/",
        {
            "location": plan.location_id,
            "title": "Nutrition",
            "started_on": TODAY.isoformat(),
            "actions": [
                {
                    "what": "Weigh weekly",
                    "provider_lead": "Chef",
                    "council_monitor": officer_b.pk,
                    "due_on": (TODAY - dt.timedelta(days=1)).isoformat(),
                }
            ],
        },
        format="json",
    )
    assert made.status_code == 400 and "actions[0].due_on" in made.json()["errors"]
    auditor = api_as(member(council_b, Role.AUDITOR))
    assert auditor.get("/api/v1/improvement-plans/").status_code == 200
    assert auditor.post("/api/v1/improvement-plans/", {}, format="json").status_code == 403


def test_timeline_in_date_order_and_filtered_by_kind(plan, council_b, officer_b, signed_in):
    from monitoring.services import intelligence_record, review_plan
    from tests.factories import RatingFactory

    loc = plan.location
    RatingFactory(location=loc, report_date=START - dt.timedelta(days=300), overall="Good")
    intelligence_record(
        council=council_b,
        actor=None,
        source="complaint",
        severity="low",
        narrative="Cold food",
        location=loc,
        received_on=START + dt.timedelta(days=5),
    )
    review_plan(
        council=council_b,
        location=loc,
        actor=None,
        kind="thematic",
        planned_for=START + dt.timedelta(days=10),
    )
    client = signed_in(officer_b)
    html = client.get(f"/locations/{loc.pk}/timeline/").content.decode()
    order = [
        html.index(t)
        for t in (
            "Proactive thematic review: planned",  # in the council's words
            "INT-",
            "Improvement plan: Medicines",
            "CQC rating: Good",
        )
    ]
    assert order == sorted(order)  # newest first
    only = client.get(f"/locations/{loc.pk}/timeline/?kind=intelligence").content.decode()
    assert "INT-" in only and "Improvement plan: Medicines" not in only
    assert client.get(f"/locations/{loc.pk}/timeline/").status_code == 200


def test_timeline_api(plan, council_a, council_b, officer_b, api_as, api_token):
    client = api_as(officer_b)
    body = client.get(f"/api/v1/locations/{plan.location_id}/timeline/").json()
    assert [e["kind"] for e in body] == ["plan"]
    assert body[0]["title"] == "Improvement plan: Medicines"
    assert (
        client.get(f"/api/v1/locations/{plan.location_id}/timeline/?kind=nope").status_code == 400
    )
    assert client.get("/api/v1/locations/999999/timeline/").status_code == 404
    # Another council sees only its own record of the same location: nothing.
    other = api_token(council_a, ["monitoring:read"])
    assert other.get(f"/api/v1/locations/{plan.location_id}/timeline/").json() == []


def test_start_page_shows_my_reviews_and_the_actions_i_monitor(plan, officer_b, signed_in):
    html = signed_in(officer_b).get("/").content.decode()
    assert 'data-testid="my-reviews"' in html
    assert 'data-testid="my-actions"' in html and "Audit MAR charts weekly" in html
    assert "Overdue" in html  # the actions fell due months ago


def test_no_actions_are_added_to_a_completed_plan(plan, officer_b):
    review(plan, met=set(plan.actions.values_list("pk", flat=True)), days=60)
    plan.refresh_from_db()
    with pytest.raises(Conflict):
        plan_action_add(plan=plan, actor=None, **action(officer_b))


def test_a_posting_system_cannot_judge_an_item(council_b, api_token):
    """A safeguarding system posts alerts; deciding the provider was not liable (which takes
    the item off the risk matrix, 004 11.1) is for the council's people."""
    from monitoring.services import intelligence_record

    item = intelligence_record(
        council=council_b,
        actor=None,
        source="safeguarding_alert",
        severity="high",
        narrative="Fall",
        location=LocationFactory(),
        received_on=TODAY,
    )
    system = api_token(council_b, ["intelligence:write"])
    assert (
        system.post(
            f"/api/v1/intelligence/{item.pk}/outcome/",
            {"outcome": "provider_not_liable", "reason": "x"},
            format="json",
        ).status_code
        == 403
    )
    assert (
        system.post(
            f"/api/v1/intelligence/{item.pk}/correct/",
            {"reason": "x", "severity": "low"},
            format="json",
        ).status_code
        == 403
    )


def test_exports_guard_every_formula_prefix(council_b):
    from core.exports import safe as _safe

    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=HYPERLINK()", "\r=1"):
        assert _safe(bad).startswith("'")

"""The risk matrix: 004 11.1 "The Risk Matrix automatically calculates risk and RAG (red,
amber, green) rates Providers using the information put into the Risk Matrix"; 003 1.10
Green "no current concerns", Amber "some quality concerns", Red "significant concerns"."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import ValidationFailed
from councils.models import Role
from councils.services import policy_load
from monitoring.models import Outcome, RiskHistory, RiskRating
from monitoring.services import (
    commissioning_save,
    intelligence_record,
    intelligence_set_outcome,
    risk_override_end,
    risk_override_set,
)
from monitoring.services.risk import risk_recompute
from monitoring.tasks import risk_recompute_all, risk_recompute_task
from tests.factories import LocationFactory, ProviderFactory, RatingFactory, policy_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def in_area(council, **kwargs):
    """A location in the council's area (its pack's local authorities)."""
    area = council.active_policy.content["council"]["local_authorities"][0]
    return LocationFactory(local_authority=area, **kwargs)


def rating_of(council, location) -> RiskRating:
    risk_recompute(council=council, location_ids=[location.pk])
    return RiskRating.objects.get(council=council, location=location)


def points(rating) -> dict[str, Decimal]:
    return {f["factor"]: Decimal(f["points"]) for f in rating.factors}


def log(council, location, source="complaint", severity="medium", days_ago=10, **kw):
    return intelligence_record(
        council=council,
        actor=None,
        source=source,
        severity=severity,
        narrative="x",
        location=location,
        received_on=TODAY - dt.timedelta(days=days_ago),
        **kw,
    )


def test_a_good_location_with_nothing_reported_is_green(council_a):
    loc = in_area(council_a, overall_rating="Good")
    r = rating_of(council_a, loc)
    assert (r.rag, r.score, r.factors) == ("green", Decimal("0"), [])


def test_the_explanation_adds_up_to_the_score(council_a):
    """The page shows why: each factor's contribution, summing to the score."""
    loc = in_area(council_a, overall_rating="Requires improvement")
    RatingFactory(
        location=loc,
        overall="Requires improvement",
        safe="Inadequate",
        effective="Requires improvement",
    )
    log(council_a, loc, "safeguarding_alert", "high")
    log(council_a, loc, "complaint", "low")
    r = rating_of(council_a, loc)
    got = points(r)
    # Bromley's pack: RI 10; Safe inadequate 4; Effective RI 1; alert 2 x high 4; complaint 1 x 1
    assert got == {
        "CQC overall rating": Decimal("10"),
        "CQC Safe": Decimal("4"),
        "CQC Effective": Decimal("1"),
        "Intelligence: Safeguarding alert": Decimal("8"),
        "Intelligence: Complaint": Decimal("1"),
    }
    assert r.score == sum(got.values()) == Decimal("24")
    assert r.rag == "amber"  # amber at 10, red at 25


def test_rag_changes_when_its_inputs_change(council_a):
    loc = in_area(council_a, overall_rating="Requires improvement")
    assert rating_of(council_a, loc).rag == "amber"
    item = log(council_a, loc, "whistleblowing", "critical")  # 3 x 8 = 24 more
    assert rating_of(council_a, loc).rag == "red"
    # 004 11.1: "found the Provider was in no way liable then it will be removed"
    intelligence_set_outcome(item=item, actor=None, outcome=Outcome.NOT_LIABLE, reason="CQ1 closed")
    r = rating_of(council_a, loc)
    assert r.rag == "amber" and "Intelligence: Whistleblowing" not in points(r)
    assert list(
        RiskHistory.objects.filter(location=loc).order_by("id").values_list("rag", flat=True)
    ) == ["amber", "red", "amber"]


def test_intelligence_outside_the_window_does_not_count(council_a):
    loc = in_area(council_a, overall_rating="Good")
    log(council_a, loc, "complaint", "critical", days_ago=400)  # window 365 days
    assert rating_of(council_a, loc).score == 0


def test_provider_wide_intelligence_counts_for_each_of_its_locations(council_a):
    provider = ProviderFactory()
    a, b = in_area(council_a, provider=provider), in_area(council_a, provider=provider)
    intelligence_record(
        council=council_a,
        actor=None,
        source="another_council",
        severity="high",
        narrative="Embargo by a neighbour",
        provider=provider,
        received_on=TODAY,
    )
    risk_recompute(council=council_a)
    for loc in (a, b):
        assert points(RiskRating.objects.get(location=loc))["Intelligence: Another council"] == 8


def test_open_safeguarding_enquiries_count_until_concluded(council_a):
    loc = in_area(council_a, overall_rating="Good")
    item = log(council_a, loc, "safeguarding_enquiry", "low", days_ago=500)  # old but open
    assert points(rating_of(council_a, loc))["Open safeguarding enquiries"] == 8
    intelligence_set_outcome(item=item, actor=None, outcome=Outcome.NOT_UPHELD, reason="closed")
    assert "Open safeguarding enquiries" not in points(rating_of(council_a, loc))


def test_high_impact_and_market_risk_add_their_points(council_a):
    loc = LocationFactory(local_authority="Elsewhere", overall_rating="Good")
    commissioning_save(
        council=council_a,
        location=loc,
        actor=None,
        contract_type="block",
        in_area=False,
        beds=10,
        people=50,
    )
    got = points(rating_of(council_a, loc))
    assert got["High impact"] == 2 and got["Market risk"] == 2


def test_the_matrix_holds_commissioned_and_in_area_locations_only(council_a):
    """004 11.1: "all the Providers that West Berkshire Council commission from and all those
    known to West Berkshire Council that are based within the county"."""
    here = in_area(council_a)
    commissioned = LocationFactory(local_authority="Elsewhere")
    commissioning_save(
        council=council_a, location=commissioned, actor=None, contract_type="spot", in_area=False
    )
    LocationFactory(local_authority="Elsewhere")
    risk_recompute(council=council_a)
    assert set(RiskRating.objects.values_list("location_id", flat=True)) == {
        here.pk,
        commissioned.pk,
    }


def test_weights_come_from_the_pack(council_a):
    content = yaml.safe_load(policy_text("bromley"))
    content["risk"]["weights"]["cqc_overall"]["Requires improvement"] = 30
    policy_load(text=yaml.safe_dump(content), source_name="bromley.yaml")
    council_a.refresh_from_db()
    loc = in_area(council_a, overall_rating="Requires improvement")
    r = rating_of(council_a, loc)
    assert r.rag == "red" and r.policy_version == council_a.active_policy


def test_a_weight_that_is_not_a_number_is_refused():
    content = yaml.safe_load(policy_text("bromley"))
    content["risk"]["weights"]["high_impact"] = "lots"
    with pytest.raises(ValidationFailed) as caught:
        policy_load(text=yaml.safe_dump(content), source_name="bromley.yaml")
    assert "risk.weights.high_impact" in caught.value.errors


def test_an_override_needs_a_reason_and_an_expiry_and_history_is_kept(council_a, officer_a):
    loc = in_area(council_a, overall_rating="Good")
    rating_of(council_a, loc)
    for bad, field in [
        ({"reason": ""}, "reason"),
        ({"expires_on": TODAY}, "expires_on"),
        ({"expires_on": TODAY + dt.timedelta(days=400)}, "expires_on"),
        ({"rag": "purple"}, "rag"),
    ]:
        values = {
            "rag": "red",
            "reason": "Visit found poor care",
            "expires_on": TODAY + dt.timedelta(days=30),
            **bad,
        }
        with pytest.raises(ValidationFailed) as caught:
            risk_override_set(council=council_a, location=loc, actor=officer_a, **values)
        assert field in caught.value.errors
    risk_override_set(
        council=council_a,
        location=loc,
        actor=officer_a,
        rag="red",
        reason="Visit found poor care",
        expires_on=TODAY + dt.timedelta(days=30),
    )
    r = RiskRating.objects.get(location=loc)
    assert (r.rag, r.computed_rag) == ("red", "green")
    risk_override_end(council=council_a, location=loc, actor=officer_a, reason="Improved")
    r.refresh_from_db()
    assert r.rag == "green" and r.override is None
    notes = list(
        RiskHistory.objects.filter(location=loc).order_by("id").values_list("rag", flat=True)
    )
    assert notes == ["green", "red", "green"]


def test_an_expired_override_lapses_at_the_nightly_recompute(council_a, officer_a):
    loc = in_area(council_a, overall_rating="Good")
    rating_of(council_a, loc)
    override = risk_override_set(
        council=council_a,
        location=loc,
        actor=officer_a,
        rag="amber",
        reason="Watch",
        expires_on=TODAY + dt.timedelta(days=1),
    )
    type(override).objects.filter(pk=override.pk).update(expires_on=TODAY - dt.timedelta(days=1))
    assert risk_recompute_all() >= 1
    assert RiskRating.objects.get(location=loc).rag == "green"


def test_recompute_is_safe_to_run_twice(council_a):
    loc = in_area(council_a, overall_rating="Inadequate")
    assert risk_recompute_task(council_a.pk) == 1
    assert risk_recompute_task(council_a.pk) == 0
    assert RiskHistory.objects.filter(location=loc).count() == 1


def test_logging_intelligence_recomputes_in_the_background(
    council_a, django_capture_on_commit_callbacks
):
    loc = in_area(council_a, overall_rating="Good")
    rating_of(council_a, loc)
    with django_capture_on_commit_callbacks(execute=True):
        log(council_a, loc, "whistleblowing", "critical")
    assert RiskRating.objects.get(location=loc).rag == "amber"  # 24 points


def test_matrix_page_counts_filters_and_constant_queries(council_a, officer_a, signed_in):
    for rating in ("Good", "Requires improvement", "Inadequate"):
        in_area(council_a, overall_rating=rating)
    risk_recompute(council=council_a)
    client = signed_in(officer_a)
    html = client.get("/risk/").content.decode()
    assert "3 locations" in html
    assert "1 location" in client.get("/risk/?rag=red").content.decode()

    def queries(url):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = {u: queries(u) for u in ("/risk/", "/risk/?sort=name&rag=amber", "/api/v1/risk/")}
    for _ in range(40):
        in_area(council_a, overall_rating="Requires improvement")
    risk_recompute(council=council_a)
    assert {u: queries(u) for u in few} == few
    # The page, its filters, the navigation counting what waits for the person (one query per
    # kind of thing waiting), and one query for each added column (case stage, trend, last
    # review: issue 13).
    assert max(few.values()) <= 20


def test_exports_have_every_row_and_the_factors(council_a, officer_a, signed_in):
    in_area(council_a, overall_rating="Inadequate", name='=HYPERLINK("x")')
    in_area(council_a, overall_rating="Good", name="Oak Lodge")
    risk_recompute(council=council_a)
    client = signed_in(officer_a)
    text = b"".join(client.get("/risk/?export=csv").streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Location,CQC location ID")
    assert "Oak Lodge" in text and "'=HYPERLINK" in text  # never a live formula
    data = client.get("/risk/?export=xlsx").content
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 3 and sheet["F2"].value == "Red"


def test_location_page_explains_and_overrides(council_a, officer_a, signed_in):
    loc = in_area(council_a, overall_rating="Requires improvement")
    risk_recompute(council=council_a)
    client = signed_in(officer_a)
    html = client.get(f"/locations/{loc.pk}/").content.decode()
    assert 'data-testid="risk-factors"' in html and "CQC overall rating" in html
    bad = client.post(f"/locations/{loc.pk}/risk/override/", {"risk-rag": "red"})
    assert "There is a problem" in bad.content.decode()
    good = client.post(
        f"/locations/{loc.pk}/risk/override/",
        {
            "risk-rag": "red",
            "risk-reason": "Serious concerns at visit",
            "risk-expires_on": (TODAY + dt.timedelta(days=20)).isoformat(),
        },
    )
    assert good.status_code == 302
    assert RiskRating.objects.get(location=loc).rag == "red"


@pytest.mark.parametrize(
    ("role", "status"), [(Role.OFFICER, 200), (Role.AUDITOR, 200), (Role.PLACEMENT, 403)]
)
def test_matrix_per_role(role, status, council_a, member, signed_in, api_as):
    user = member(council_a, role)
    assert signed_in(user).get("/risk/").status_code == status
    assert api_as(user).get("/api/v1/risk/").status_code == status


def test_api_override_and_bad_input(council_a, officer_a, api_as, api_token):
    loc = in_area(council_a, overall_rating="Good")
    rating = rating_of(council_a, loc)
    client = api_as(officer_a)
    bad = client.post(
        f"/api/v1/risk/{rating.pk}/override/",
        {"rag": "red", "reason": "x", "expires_on": TODAY.isoformat()},
        format="json",
    )
    assert bad.status_code == 400 and "expires_on" in bad.json()["errors"]
    ok = client.post(
        f"/api/v1/risk/{rating.pk}/override/",
        {"rag": "red", "reason": "Visit", "expires_on": (TODAY + dt.timedelta(days=9)).isoformat()},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["rag"] == "red"
    assert api_as(officer_a).get("/api/v1/risk/?rag=pink").status_code == 400
    reader = api_token(council_a, ["monitoring:read"])
    assert reader.get("/api/v1/risk/").status_code == 200
    assert reader.post(f"/api/v1/risk/{rating.pk}/override/", {}).status_code == 403
    assert client.get("/api/v1/risk/999999/").status_code == 404


def test_officer_start_page_shows_my_locations_and_my_open_items(
    council_a, officer_a, member, signed_in
):
    mine = in_area(council_a, overall_rating="Inadequate", name="Willow House")
    commissioning_save(
        council=council_a,
        location=mine,
        actor=None,
        contract_type="spot",
        in_area=True,
        contact_officer=officer_a,
    )
    in_area(council_a, overall_rating="Inadequate", name="Someone Else's")
    log(council_a, mine, "complaint", "low", allocated_to=officer_a)
    closed = log(council_a, mine, "cq1", "low", allocated_to=officer_a)
    intelligence_set_outcome(item=closed, actor=None, outcome=Outcome.UPHELD, reason="done")
    risk_recompute(council=council_a)
    client = signed_in(officer_a)

    def page():
        with CaptureQueriesContext(connection) as ctx:
            html = client.get("/").content.decode()
        return html, len(ctx.captured_queries)

    html, few = page()
    assert "Willow House" in html and "Someone Else" not in html
    assert "1 open item allocated to you" in html
    for _ in range(15):
        loc = in_area(council_a, overall_rating="Good")
        commissioning_save(
            council=council_a,
            location=loc,
            actor=None,
            contract_type="spot",
            in_area=True,
            contact_officer=officer_a,
        )
        log(council_a, loc, allocated_to=officer_a)
    risk_recompute(council=council_a)
    assert page()[1] == few
    placement = signed_in(member(council_a, Role.PLACEMENT)).get("/").content.decode()
    assert 'data-testid="dashboard"' not in placement


def test_annual_spend_adds_points_up_to_the_packs_cap(council_a):
    """003 1.2: "The risk assessment criteria are: Annual spend with the provider; ..." """
    loc = in_area(council_a, overall_rating="Good")
    commissioning_save(
        council=council_a,
        location=loc,
        actor=None,
        contract_type="spot",
        in_area=True,
        annual_spend=400000,
    )
    assert points(rating_of(council_a, loc))["Annual spend"] == Decimal("2")  # 4 x 0.5
    commissioning_save(
        council=council_a,
        location=loc,
        actor=None,
        contract_type="spot",
        in_area=True,
        annual_spend=5000000,
    )
    assert points(rating_of(council_a, loc))["Annual spend"] == Decimal("5")  # capped


def test_an_overdue_review_adds_points(council_b):
    from monitoring.models import Review
    from monitoring.services import review_plan, review_record

    loc = LocationFactory(local_authority="West Berkshire", overall_rating="Good")
    review = review_record(
        review=review_plan(
            council=council_b,
            location=loc,
            actor=None,
            kind="proactive_annual",
            planned_for=TODAY - dt.timedelta(days=30),
        ),
        actor=None,
        visited_on=TODAY - dt.timedelta(days=30),
        findings="Fine",
    )
    assert "Review overdue" not in points(rating_of(council_b, loc))  # next due in 12 months
    Review.objects.filter(pk=review.pk).update(next_due_on=TODAY - dt.timedelta(days=1))
    assert points(rating_of(council_b, loc))["Review overdue"] == Decimal("3")

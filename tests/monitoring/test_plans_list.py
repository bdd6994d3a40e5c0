"""The list of improvement plans (issue 13: "every list (cases, intelligence, alerts, reviews,
plans, restrictions) exports to CSV and Excel and keeps its filters in the URL"): each plan with
its actions counted (open, overdue), the next action's date and the last review (004 9)."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring.services import plan_create, plan_review_record
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _plan(council, officer, name, *, days_late=(), days_ahead=(), kind="improvement"):
    started = TODAY - dt.timedelta(days=200)
    actions = [
        {
            "what": f"Late {n}",
            "provider_lead": "Manager",
            "council_monitor": officer,
            "due_on": TODAY - dt.timedelta(days=d),
        }
        for n, d in enumerate(days_late)
    ] + [
        {
            "what": f"Ahead {n}",
            "provider_lead": "Manager",
            "council_monitor": officer,
            "due_on": TODAY + dt.timedelta(days=d),
        }
        for n, d in enumerate(days_ahead)
    ]
    return plan_create(
        council=council,
        location=LocationFactory(name=name, local_authority="West Berkshire"),
        actor=officer,
        title=f"{name} plan",
        started_on=started,
        kind=kind,
        actions=actions,
    )


def test_the_list_counts_actions_and_puts_the_plans_behind_first(council_b, officer_b, signed_in):
    on_time = _plan(council_b, officer_b, "Oak Lodge", days_ahead=(10, 20))
    behind = _plan(council_b, officer_b, "Elm House", days_late=(5, 3), days_ahead=(30,))
    for days_ago in (9, 1):  # two reviews: the counts hold across actions × reviews
        plan_review_record(
            plan=behind,
            actor=officer_b,
            results={a.pk: a.what == "Late 0" for a in behind.actions.exclude(status="met")},
            reviewed_on=TODAY - dt.timedelta(days=days_ago),
        )
    page = signed_in(officer_b).get("/plans/")
    assert page.status_code == 200
    rows = list(page.context["page"].object_list)
    assert [p.pk for p in rows] == [behind.pk, on_time.pk]
    first = rows[0]
    assert (first.actions_total, first.actions_open, first.actions_overdue) == (3, 2, 1)
    assert first.next_due_on == TODAY - dt.timedelta(days=3)
    assert first.last_reviewed_on == TODAY - dt.timedelta(days=1)
    assert (rows[1].actions_open, rows[1].actions_overdue, rows[1].last_reviewed_on) == (2, 0, None)
    text = page.content.decode()
    assert "1 overdue" in text and "Not yet reviewed" in text


def test_filters_are_in_the_address_and_the_download_keeps_them(council_b, officer_b, signed_in):
    _plan(council_b, officer_b, "Oak Lodge", days_ahead=(10,))
    _plan(council_b, officer_b, "Elm House", days_late=(5,))
    _plan(council_b, officer_b, "Ash Court", days_ahead=(5,), kind="serious_concerns")
    client = signed_in(officer_b)
    overdue = client.get("/plans/?overdue=on")
    assert [p.location.name for p in overdue.context["page"].object_list] == ["Elm House"]
    assert "?overdue=on&amp;format=csv" in overdue.content.decode()
    serious = client.get("/plans/?kind=serious_concerns")
    assert [p.location.name for p in serious.context["page"].object_list] == ["Ash Court"]
    named = client.get("/plans/?q=oak")
    assert [p.location.name for p in named.context["page"].object_list] == ["Oak Lodge"]
    download = client.get("/plans/?overdue=on&format=csv")
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["Plan", "Kind", "Location", "Provider"]
    assert [r[2] for r in rows[1:]] == ["Elm House"]
    assert rows[1][8] == "1"  # overdue
    excel = client.get("/plans/?format=xlsx")
    assert excel.status_code == 200 and "spreadsheetml" in excel["Content-Type"]


def test_another_councils_plans_are_not_listed(
    council_a, council_b, officer_a, officer_b, signed_in
):
    _plan(council_b, officer_b, "Theirs", days_ahead=(5,))
    page = signed_in(officer_a).get("/plans/")
    assert page.context["page"].paginator.count == 0


def test_the_list_runs_the_same_queries_for_few_and_many_plans(council_b, officer_b, signed_in):
    client = signed_in(officer_b)
    _plan(council_b, officer_b, "First", days_late=(2,), days_ahead=(4,))

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/plans/").status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request of a session reads what later ones keep
    few = queries()
    for n in range(12):
        _plan(council_b, officer_b, f"Home {n}", days_late=(n + 1,), days_ahead=(3, 9))
    assert queries() == few


def test_the_api_lists_plans_with_the_same_filters_and_refuses_bad_ones(
    council_b, officer_b, api_as
):
    _plan(council_b, officer_b, "Oak Lodge", days_ahead=(10,))
    _plan(council_b, officer_b, "Elm House", days_late=(5,), days_ahead=(8,))
    client = api_as(officer_b)
    overdue = client.get("/api/v1/improvement-plans/?overdue=true").json()["results"]
    assert [(p["title"], p["actions_open"], p["actions_overdue"]) for p in overdue] == [
        ("Elm House plan", 2, 1)
    ]
    assert overdue[0]["next_due_on"] == (TODAY - dt.timedelta(days=5)).isoformat()
    both = client.get("/api/v1/improvement-plans/?overdue=false").json()["results"]
    assert len(both) == 2
    for bad, field in [
        ("overdue=banana", "overdue"),
        ("status=bogus", "status"),
        ("kind=x", "kind"),
    ]:
        refused = client.get(f"/api/v1/improvement-plans/?{bad}")
        assert refused.status_code == 400 and field in refused.json()["errors"], bad
    long = client.get("/api/v1/improvement-plans/?q=" + "x" * 201)
    assert long.status_code == 400

"""The commissioning list: its council's policy is read once, not decoded again for each row
(found by the load bench: 18 ms for a page of 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Role
from tests.factories import LocationFactory
from tests.monitoring.helpers import commission

pytestmark = pytest.mark.django_db


def test_the_list_runs_the_same_queries_for_one_row_and_for_ten(council_a, member, api_as):
    client = api_as(member(council_a, Role.OFFICER))
    commission(council_a, LocationFactory(), beds=2)
    client.get("/api/v1/commissioning/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/commissioning/").json()["count"] == 1
    for _ in range(9):
        commission(council_a, LocationFactory(), beds=2)
    with CaptureQueriesContext(connection) as ten:
        body = client.get("/api/v1/commissioning/").json()
    assert body["count"] == 10 and all("market_position" in row for row in body["results"])
    assert len(ten.captured_queries) == len(one.captured_queries)
    assert not any("councils_policyversion" in q["sql"] for q in ten.captured_queries)

"""The charts' faster tick finder (reporting/charts.py `_Ticker`, issue 13's 300 ms target)
must find exactly leather's ticks: it only stops building a candidate sequence that leather
would throw away. Held against leather's own ScoreTicker over many domains, so an upgrade of
leather that changes its scoring fails here rather than drawing different axes."""

import random
from decimal import Decimal

import pytest
from leather.ticks.score import ScoreTicker

from reporting.charts import _Ticker

DOMAINS = [(0, 1), (0, 5), (0, 7), (0, 100), (0, 1234), (-3, 9), (-250, 40), (0.5, 0.9), (17, 23)]
random.seed(13)
DOMAINS += [
    (lo, lo + random.choice([1, 3, 11, 97, 1000, 48_000]) * random.random() + 0.01)
    for lo in (random.choice([0, 0, -5, 12, 300]) for _ in range(200))
]


@pytest.mark.parametrize(("low", "high"), DOMAINS)
def test_the_ticks_are_leathers(low, high):
    lo, hi = Decimal(str(round(low, 4))), Decimal(str(round(high, 4)))
    if lo >= hi:
        pytest.skip("not a domain")
    assert _Ticker(lo, hi).ticks == ScoreTicker(lo, hi).ticks

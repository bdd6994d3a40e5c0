"""An intelligence item of council_a, for the intelligence tests and pages."""

import datetime as dt

import pytest

from tests.factories import LocationFactory
from tests.monitoring.helpers import log, today


@pytest.fixture
def item(council_a):
    return log(council_a, location=LocationFactory(), received_on=today() - dt.timedelta(days=4))

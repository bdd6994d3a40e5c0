"""The Trafford column mapping, saved for council_a, for the importer tests."""

import pytest

from providers.demo import TRAFFORD_MAPPING
from providers.models import ColumnMapping
from providers.services import mapping_save


@pytest.fixture
def trafford_mapping(council_a, officer_a) -> ColumnMapping:
    """core.demo.TRAFFORD_MAPPING saved for council_a through the service."""
    return mapping_save(
        council=council_a,
        name="Trafford Data Lab care homes list",
        columns=TRAFFORD_MAPPING,
        options={"service_type_separator": "|", "null_values": ["", "NA"]},
        actor=officer_a,
    )

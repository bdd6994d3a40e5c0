"""Somerset's, West Berkshire's and Bromley's people for the escalation API tests."""

from types import SimpleNamespace

import pytest

from councils.models import Role
from tests.concerns.api.helpers import DASS, HEAD_OF_COMMISSIONING


@pytest.fixture
def somerset(load_pack):
    return load_pack("somerset")


@pytest.fixture
def sm(somerset, member):
    """Somerset's people: officers make the informal -> formal move at once; the Board's
    decision makers decide the rest."""
    return SimpleNamespace(
        council=somerset,
        officer=member(somerset, Role.OFFICER),
        manager=member(somerset, Role.MANAGER),
        board=member(somerset, Role.DECISION_MAKER, title="Strategic Commissioning Manager"),
        auditor=member(somerset, Role.AUDITOR),
        placement=member(somerset, Role.PLACEMENT),
    )


@pytest.fixture
def wb(council_b, member):
    """West Berkshire's chain (004 18): the CQO proposes, the SRM and the SM check in turn,
    the Head of Commissioning decides."""
    return SimpleNamespace(
        council=council_b,
        officer=member(council_b, Role.OFFICER),
        srm=member(council_b, Role.MANAGER, title="Supplier Relationship Manager"),
        sm=member(council_b, Role.MANAGER, title="Service Manager"),
        head=member(council_b, Role.DECISION_MAKER, title=HEAD_OF_COMMISSIONING),
    )


@pytest.fixture
def bromley(council_a, member):
    return SimpleNamespace(
        council=council_a,
        officer=member(council_a, Role.OFFICER),
        placement=member(council_a, Role.PLACEMENT),
        dass=member(council_a, Role.DECISION_MAKER, title=DASS),
    )

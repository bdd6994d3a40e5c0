"""Somerset with an open case, and West Berkshire's chain, for the escalation rule tests."""

from types import SimpleNamespace

import pytest

from concerns.services import case_open
from councils.models import Role
from tests.factories import LocationFactory


@pytest.fixture
def somerset(load_pack, member):
    council = load_pack("somerset")
    s = SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        other_officer=member(council, Role.OFFICER),
        board=member(council, Role.DECISION_MAKER, title="Strategic Commissioning Manager"),
        location=LocationFactory(local_authority="Somerset"),
    )
    s.case = case_open(council=council, actor=s.officer, summary="Concerns", location=s.location)
    return s


@pytest.fixture
def west_berkshire(load_pack, member):
    council = load_pack("west-berkshire")
    return SimpleNamespace(
        council=council,
        cqo=member(council, Role.OFFICER),
        other_officer=member(council, Role.OFFICER),
        srm=member(council, Role.MANAGER, title="Supplier Relationship Manager"),
        sm=member(council, Role.MANAGER, title="Service Manager"),
        hoc=member(council, Role.DECISION_MAKER, title="Head of Commissioning"),
        untitled=member(council, Role.DECISION_MAKER),
    )

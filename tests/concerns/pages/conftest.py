"""Somerset's, West Berkshire's and Bromley's people for the escalation page tests."""

from types import SimpleNamespace

import pytest

from councils.models import Role


@pytest.fixture
def sm(load_pack, member):
    council = load_pack("somerset")
    return SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        manager=member(council, Role.MANAGER),
        board=member(council, Role.DECISION_MAKER, title="Strategic Commissioning Manager"),
    )


@pytest.fixture
def wb(council_b, member):
    return SimpleNamespace(
        council=council_b,
        officer=member(council_b, Role.OFFICER),
        srm=member(council_b, Role.MANAGER, title="Supplier Relationship Manager"),
        sm=member(council_b, Role.MANAGER, title="Service Manager"),
        head=member(council_b, Role.DECISION_MAKER, title="Head of Commissioning"),
    )


@pytest.fixture
def bromley(council_a, member):
    return SimpleNamespace(
        council=council_a,
        officer=member(council_a, Role.OFFICER),
    )

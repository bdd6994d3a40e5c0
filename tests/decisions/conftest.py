"""People around one council's decision chain, and permits (a test-only subject) to decide."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from councils.models import Delegation, Membership, Role
from tests.decisions.permits.models import Permit
from tests.factories import LocationFactory

DASS = "Director of Adult Social Services (DASS)"
HACM = "Head of Assessment & Care Management"
BOARD = "Care Provider Commissioning and Quality Board"

# A check by a manager holding the post, then the DASS (000 4: the DASS decides).
DASS_CHAIN = {
    "decided_by": "dass",
    "seed": "000 4",
    "chain": [{"role": "manager", "label": "The Head of Contract Compliance checks"}],
}
BOARD_DECIDES = {"decided_by": "commissioning_quality_board", "seed": "003 ToR 5"}


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def bromley(load_pack, member):
    council = load_pack("bromley")
    dass = member(council, Role.DECISION_MAKER, title=DASS)
    holder = Membership.objects.get(user=dass, council=council)
    hacm = member(council, Role.MANAGER, title=HACM)
    Delegation.objects.create(
        council=council,
        delegator=holder,
        delegate=hacm,
        starts_on=today() - dt.timedelta(days=1),
        ends_on=today() + dt.timedelta(days=5),
    )
    return SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        other_officer=member(council, Role.OFFICER),
        manager=member(council, Role.MANAGER),
        dass=dass,
        hacm=hacm,
        placement=member(council, Role.PLACEMENT),
        auditor=member(council, Role.AUDITOR),
    )


@pytest.fixture
def somerset(load_pack, member):
    council = load_pack("somerset")
    return SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        board=member(council, Role.DECISION_MAKER, title=BOARD),
        member=member(council, Role.BOARD_MEMBER),
    )


@pytest.fixture
def permit():
    def make(council, **fields):
        return Permit.objects.create(council=council, location=LocationFactory(), **fields)

    return make

"""Each council's words for the canonical levels (none, caution, suspended, terminated), as its
pack says; levels a pack leaves out are refused."""

import pytest

from core.errors import ValidationFailed
from councils.models import Role
from restrictions.models import Level
from restrictions.pack import Restrictions
from restrictions.selectors.status import status_of, statuses
from restrictions.services import restriction_propose
from tests.factories import LocationFactory
from tests.restrictions.rules.helpers import (
    refused,
    somerset_impose,
    somerset_people,
    wb_impose,
    wb_people,
)

pytestmark = pytest.mark.django_db

WORDS = {
    # 004 13.2: Embargo, Place with Caution, No Restrictions on Placements; 15.4 termination.
    "west-berkshire": {
        "none": ("No Restrictions on Placements", "green"),
        "caution": ("Place with Caution", "orange"),
        "suspended": ("Embargo", "red"),
        "terminated": ("Commissioning terminated", "purple"),
    },
    # 003 Managed Placements Memo: RED, AMBER, GREEN.
    "somerset": {
        "none": ("GREEN: SCC placing", "green"),
        "caution": ("AMBER: placing with restrictions", "orange"),
        "suspended": ("RED: not currently placing", "red"),
        "terminated": ("Contract terminated", "purple"),
    },
    # 001 Appendix 3: sanctions to restrict new placements; suspending services.
    "bedford": {
        "none": ("No sanctions on placements", "green"),
        "caution": ("New placements restricted", "orange"),
        "suspended": ("Suspension of new placements", "red"),
        "terminated": ("Existing placements ended", "purple"),
    },
    # 000 3.ii, 6.i: suspension of placements; case by case with the DASS's agreement.
    "bromley": {
        "none": ("Placements continue", "green"),
        "caution": ("Placements case by case, with the DASS's agreement", "orange"),
        "suspended": ("Placements suspended", "red"),
        "terminated": ("No longer commissioned; residents moved", "purple"),
    },
    # 002 3.1: no "caution" at all.
    "bradford": {
        "none": ("No restrictions", "green"),
        "suspended": ("New placements suspended", "red"),
        "terminated": ("Service closed; service users moved", "purple"),
    },
}


@pytest.mark.parametrize("code", sorted(WORDS))
def test_each_councils_words_map_to_the_canonical_levels(load_pack, code):
    """004 13.2: "The types of restrictions are: Embargo ... Place with Caution ... No
    Restrictions on Placements"; 003 memo: "RED ... not currently agreeing new placements",
    "AMBER ... certain restrictions on placements", "GREEN ... restrictions have been removed";
    001 App. 3: "suspending services in terms of temporarily ceasing to commission new
    business"."""
    council = load_pack(code)
    pack = Restrictions.of(council)
    assert {k: (lv.label, lv.colour) for k, lv in pack.levels.items()} == WORDS[code]
    # In canonical order, whatever order the pack gives them.
    assert list(pack.levels) == [lv for lv in Level.values if lv in WORDS[code]]


def test_004_13_2_embargo_is_suspended_red_and_place_with_caution_orange(load_pack, member):
    """004 13.2: "Embargo: Do not make any placements with this Provider whilst an embargo is
    in place ... Place with Caution: Placements may be made with this Provider on a
    case-by-case basis" and "All other Providers will be given the status ‘No Restrictions on
    Placements’"."""
    wb = wb_people(load_pack, member)
    embargoed, caution, free = LocationFactory(), LocationFactory(), LocationFactory()
    wb_impose(wb, embargoed, level="suspended")
    wb_impose(wb, caution, level="caution")
    found = statuses(
        council=wb.council,
        locations=[(loc.pk, loc.provider_id) for loc in (embargoed, caution, free)],
    )
    shown = {lid: (s.level, s.label, s.colour) for lid, s in found.items()}
    assert shown == {
        embargoed.pk: ("suspended", "Embargo", "red"),
        caution.pk: ("caution", "Place with Caution", "orange"),
        free.pk: ("none", "No Restrictions on Placements", "green"),
    }
    assert found[embargoed.pk].own.exceptions.startswith(
        "Exceptions will be considered by relevant professionals"
    )  # 004 13.2: increases to existing packages
    assert not found[free.pk].restricted


def test_003_memo_red_is_not_currently_placing(load_pack, member):
    """003 memo: "RED The first section refers to providers where SCC is not currently
    agreeing new placements"."""
    som = somerset_people(load_pack, member)
    location = LocationFactory(postcode="TA1 1AA", local_authority="Somerset")
    somerset_impose(som, location, level="suspended")
    shown = status_of(council=som.council, location=location)
    assert (shown.level, shown.label, shown.colour) == (
        "suspended",
        "RED: not currently placing",
        "red",
    )


@pytest.mark.parametrize("level", ["caution", "none", "red"])
def test_002_3_1_levels_a_pack_leaves_out_are_refused_when_proposed(load_pack, member, level):
    """002 3.1 (Bradford): a suspension or closure, no "place with caution": a level the pack
    does not name is refused (400 naming `level`), and nothing is written."""
    council = load_pack("bradford")
    officer = member(council, Role.OFFICER)
    with refused(ValidationFailed, field="level") as info:
        restriction_propose(
            council=council,
            actor=officer,
            level=level,
            reasons="Serious concerns",
            location=LocationFactory(),
            evidence=[{"kind": "meeting_notes", "note": "Serious concerns meeting"}],
        )
    assert "New placements suspended" in info.value.errors["level"][0]
    assert "Place with" not in info.value.errors["level"][0]

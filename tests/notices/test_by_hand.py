"""Letters started by hand, which no move or decision asks for (000 5.i: "the client/family
will be informed in writing by the Placement Officer of the rating and the reasons, and that
LBB could not recommend placing with the provider"): the pack names who may start each; the
author sees and issues theirs; other placement staff see none of them."""

from __future__ import annotations

import subprocess

import pytest

from core.errors import NotAllowed, ValidationFailed
from councils.models import Role
from notices.models import LetterStatus
from notices.services import letter_issue, letter_start, letter_update

pytestmark = pytest.mark.django_db


def test_a_placement_officer_writes_to_a_family_and_issues_it(bromley, willow, member, signed_in):
    placer = bromley.placement
    letter = letter_start(
        council=bromley.council, actor=placer, kind="family_choice_letter", location=willow
    )
    assert letter.status == LetterStatus.DRAFT, letter.problem
    assert letter.addressee_organisation == ""  # a family is not in the register
    letter_update(
        letter=letter,
        actor=placer,
        changes={
            "addressee_name": "Mr and Mrs Smith",
            "address": "3 Elm Road\nBromley\nBR2 0AB",
            "note": "The service was found unsafe in how it manages medicines.",
        },
    )
    issued = letter_issue(letter=letter, actor=placer)
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=bytes(issued.pdf), capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(text.split())
    assert "could not recommend placing with this provider" in text
    assert "Requires improvement" in text and "Mr and Mrs Smith" in text
    # Their own page; another placement officer, and the API's lists, see nothing of it.
    assert signed_in(placer).get(f"/letters/{letter.pk}/").status_code == 200
    other = member(bromley.council, Role.PLACEMENT)
    assert signed_in(other).get(f"/letters/{letter.pk}/").status_code == 403
    assert signed_in(other).get(f"/letters/{letter.pk}/pdf/").status_code == 403
    assert signed_in(bromley.officer).get(f"/letters/{letter.pk}/").status_code == 200


def test_only_the_roles_the_pack_names_start_a_letter_by_hand(bromley, willow):
    with pytest.raises(NotAllowed):
        letter_start(
            council=bromley.council,
            actor=bromley.officer,
            kind="family_choice_letter",
            location=willow,
        )
    with pytest.raises(ValidationFailed) as refused:
        letter_start(
            council=bromley.council,
            actor=bromley.placement,
            kind="dass_decision_letter",  # asked for by a move, never by hand
            location=willow,
        )
    assert "kind" in refused.value.errors


def test_the_location_page_offers_it_and_the_page_starts_it(bromley, willow, signed_in):
    client = signed_in(bromley.placement)
    page = client.get(f"/locations/{willow.pk}/").content.decode()
    assert f"/letters/new/?location={willow.pk}" in page
    refused = client.post(f"/letters/new/?location={willow.pk}", {})
    assert refused.status_code == 400 and "Choose the letter to write" in refused.content.decode()
    made = client.post(f"/letters/new/?location={willow.pk}", {"kind": "family_choice_letter"})
    assert made.status_code == 302
    assert signed_in(bromley.officer).get(f"/letters/new/?location={willow.pk}").status_code == 403

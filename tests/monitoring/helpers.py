"""Helpers shared by the commissioning and intelligence tests.

Every rule reads the council's pack: thresholds, themes, severities and attachment limits are
never hard-coded in the app, so several tests load a changed pack with `policy_load`."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import ValidationFailed
from councils.models import Council
from councils.services import policy_load
from monitoring.models import Commissioning, Intelligence, Source
from monitoring.services import commissioning_save, intelligence_record
from tests.factories import LocationFactory, policy_text


def today() -> dt.date:
    return timezone.localdate()


def commission(council, location=None, actor=None, **values) -> Commissioning:
    """Save a commissioning with every measure at 0 unless given."""
    fields = {
        "contract_type": "spot",
        "in_area": True,
        "annual_spend": 0,
        "beds": 0,
        "home_care_hours": 0,
        "people": 0,
        "specialist_service": "",
    }
    fields.update(values)
    return commissioning_save(
        council=council, location=location or LocationFactory(), actor=actor, **fields
    )


def log(council, actor=None, **values) -> Intelligence:
    """Record an item about a new location unless one is given."""
    fields = {
        "source": Source.COMPLAINT,
        "received_on": today(),
        "severity": "medium",
        "narrative": "A relative reported missed medication on two evenings.",
        "themes": ["medication"],
    }
    fields.update(values)
    if "location" not in fields and "provider" not in fields:
        fields["location"] = LocationFactory()
    return intelligence_record(council=council, actor=actor, **fields)


def pack_with(code: str, *replacements: tuple[str, str]) -> Council:
    """Load the council's real pack with some lines changed; the change becomes active."""
    text = policy_text(code)
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return policy_load(text=text, source_name=f"{code}-changed.yaml").council


def errors_of(call) -> dict:
    with pytest.raises(ValidationFailed) as exc:
        call()
    return exc.value.errors

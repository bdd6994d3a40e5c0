"""Writes for commissioning: what the council buys at a location (001 3.1 and 003 1.8 judge
high impact and market risk from it)."""

from decimal import Decimal

from django.db import transaction

from core.actors import require
from core.audit import audit_record
from core.errors import ValidationFailed
from councils.models import Council
from councils.selectors import is_member_of
from monitoring import events
from monitoring.models import Commissioning, ContractType
from monitoring.services.risk import risk_recompute_later
from providers.models import Location

COMMISSIONING_FIELDS = (
    "contract_type",
    "in_area",
    "annual_spend",
    "beds",
    "home_care_hours",
    "people",
    "specialist_service",
    "contact_officer",
)


@transaction.atomic
def commissioning_save(*, council: Council, location: Location, actor, **values) -> Commissioning:
    """Create or change the council's commissioning of a location."""
    require(actor, "monitoring.change_commissioning", council)
    unknown = set(values) - set(COMMISSIONING_FIELDS)
    if unknown:
        raise ValidationFailed("Unknown fields.", errors={k: ["is not a field"] for k in unknown})
    errors: dict[str, list[str]] = {}
    if values.get("contract_type") not in ContractType.values:
        errors["contract_type"] = ["Choose the kind of contract."]
    for key in ("annual_spend", "beds", "home_care_hours", "people"):
        if values.get(key) is not None and Decimal(str(values[key])) < 0:
            errors[key] = ["Must be 0 or more."]
    officer = values.get("contact_officer")
    if officer is not None and not is_member_of(council, officer):
        errors["contact_officer"] = ["The contact officer must work for this council."]
    if errors:
        raise ValidationFailed("The commissioning could not be saved.", errors=errors)
    current = Commissioning.objects.filter(council=council, location=location).first()
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return current  # nothing changed: no write, no "changed" in the audit log
    record, created = Commissioning.objects.update_or_create(
        council=council, location=location, defaults=values
    )
    # A provider's share of the council's commissioning moves every location's position.
    risk_recompute_later(council=council)
    events.commissioning_saved.publish(council_id=council.pk, location_id=location.pk)
    audit_record(
        council=council,
        actor=actor,
        action="commissioning.saved",
        summary=f"Commissioning of {location} {'recorded' if created else 'changed'}",
        obj=record,
        data={k: str(v) if v is not None else None for k, v in values.items()},
    )
    return record

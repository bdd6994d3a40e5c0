"""URLs, records and payloads shared by the monitoring API tests."""

import datetime as dt

from django.utils import timezone

from monitoring.services import commissioning_save, intelligence_record
from tests.factories import LocationFactory

COMMISSIONING = "/api/v1/commissioning/"
INTELLIGENCE = "/api/v1/intelligence/"


def today() -> dt.date:
    return timezone.localdate()


def field_errors(response) -> dict:
    """Serializer errors come as the body; a service's as body["errors"]."""
    body = response.json()
    return body.get("errors", body)


def commission(council, location=None, **values):
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
        council=council, location=location or LocationFactory(), actor=None, **fields
    )


def log(council, **values):
    fields = {
        "source": "complaint",
        "received_on": today() - dt.timedelta(days=2),
        "severity": "medium",
        "narrative": "Call bells not answered at night.",
        "themes": ["staffing"],
    }
    fields.update(values)
    if "location" not in fields and "provider" not in fields:
        fields["location"] = LocationFactory()
    return intelligence_record(council=council, actor=None, **fields)


def item_payload(where, **changes) -> dict:
    return {
        "location": where.pk,
        "source": "complaint",
        "received_on": today().isoformat(),
        "severity": "medium",
        "themes": ["staffing"],
        "narrative": "Call bells not answered at night.",
        **changes,
    }


def commissioning_payload(where, **changes) -> dict:
    return {
        "location": where.pk,
        "contract_type": "block",
        "in_area": True,
        "annual_spend": "250000.00",
        "beds": 20,
        "home_care_hours": "0",
        "people": 20,
        "specialist_service": "",
        **changes,
    }

"""The register part of the demo: a deterministic synthetic register and the Trafford care
homes imported through Bromley's saved column mapping."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_scopes import scope, scopes_disabled

from councils.demo import demo_councils
from providers import synthetic
from providers.models import ImportFormat
from providers.services import import_from_path, mapping_save

TRAFFORD_FILE = (
    settings.BASE_DIR.parent / "shared" / "data" / "trafford" / "trafford_care_homes.csv"
)
TRAFFORD_MAPPING = {
    "name": "name",
    "cqc_location_id": "cqc_id",
    "service_types": "type",
    "address_line1": "address",
    "postcode": "postcode",
    "phone": "telephone",
    "website": "website",
    "provider_name": "provider",
    "last_inspection_date": "inspection_date",
    "local_authority": "area_name",
    "longitude": "lon",
    "latitude": "lat",
}
TRAFFORD_MAPPING_NAME = "Trafford Data Lab care homes list"


def load(echo, *, synthetic_locations: int = 300, **options) -> None:
    councils = demo_councils()
    for council in councils:
        with transaction.atomic(), scope(council=council):
            mapping_save(
                council=council,
                name=TRAFFORD_MAPPING_NAME,
                columns=TRAFFORD_MAPPING,
                options={"service_type_separator": "|", "null_values": ["", "NA"]},
            )
    demo_dir = settings.VAR_DIR / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    providers, locations = synthetic.records(synthetic_locations, seed=2026)
    data_file = demo_dir / "synthetic-locations.json"
    data_file.write_text(json.dumps(providers + locations))
    run = import_from_path(path=data_file, format=ImportFormat.CQC_JSON)
    echo(f"Synthetic register: {run.message}")

    if TRAFFORD_FILE.exists():
        bromley = next((c for c in councils if c.code == "bromley"), councils[0])
        with scopes_disabled():
            mapping = bromley.column_mappings.get(name=TRAFFORD_MAPPING_NAME)
        run = import_from_path(
            path=Path(TRAFFORD_FILE),
            format=ImportFormat.SPREADSHEET,
            council=bromley,
            mapping=mapping,
        )
        echo(f"Trafford spreadsheet: {run.message}")
    else:
        echo(
            f"Trafford spreadsheet not found at {TRAFFORD_FILE}: skipped (shared/ goes beside "
            "the project)."
        )

"""The register part of the demo: a deterministic synthetic register and the Trafford care
homes, brought in as the national register's keeper would (CQC's data); then Bromley's own
spreadsheet of the services it commissions, which changes only Bromley's records: its contract
references and contacts, and two 16+ semi-independent services CQC does not register
(000 1.ii)."""

import csv
import io
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
    locations = list(locations)
    data_file = demo_dir / "synthetic-locations.json"
    data_file.write_text(json.dumps(providers + locations))
    run = import_from_path(path=data_file, format=ImportFormat.CQC_JSON)
    echo(f"Synthetic register: {run.message}")

    bromley = next((c for c in councils if c.code == "bromley"), councils[0])
    if TRAFFORD_FILE.exists():
        with scopes_disabled():
            mapping = bromley.column_mappings.get(name=TRAFFORD_MAPPING_NAME)
        # Trafford Data Lab's list is CQC's directory republished: the register's keeper's.
        run = import_from_path(
            path=Path(TRAFFORD_FILE), format=ImportFormat.SPREADSHEET, mapping=mapping
        )
        echo(f"Trafford list (national): {run.message}")
    else:
        echo(
            f"Trafford spreadsheet not found at {TRAFFORD_FILE}: skipped (shared/ goes beside "
            "the project)."
        )
    _bromley_sheet(bromley, demo_dir, locations, echo)


BROMLEY_MAPPING = {
    "cqc_location_id": "CQC ID",
    "name": "Service",
    "provider_name": "Provider",
    "postcode": "Postcode",
    "contract_reference": "Contract ref",
    "contact_name": "Contact",
    "contact_phone": "Contact phone",
    "contact_email": "Contact email",
    "overall_rating": "Our rating",
    "rating_date": "Rated on",
}
BROMLEY_MAPPING_NAME = "Bromley commissioned services"


def _bromley_sheet(bromley, demo_dir: Path, locations: list[dict], echo) -> None:
    """Bromley's own list: contract references for its synthetic services in Bromley, and two
    semi-independent 16+ services outside CQC's register with its own assessment."""
    rows = [list(BROMLEY_MAPPING.values())]
    in_bromley = [loc for loc in locations if loc.get("localAuthority") == "Bromley"][:8]
    for n, loc in enumerate(in_bromley, start=1):
        rows.append(
            [
                loc["locationId"],
                loc["name"],
                "",
                loc.get("postalCode", ""),
                f"LBB-ASC-{2026}-{n:03d}",
                "Contracts team",
                "020 8464 3333",
                "contracts@bromley.example",
                "",
                "",
            ]
        )
    rows += [
        [
            "",
            "Cray Valley Supported Lodgings",
            "Cray Valley Housing CIC",
            "BR5 3RS",
            "LBB-CS-2026-101",
            "Ade Okafor",
            "020 8300 1111",
            "lodgings@crayvalley.example",
            "Good",
            "2026-06-12",
        ],
        [
            "",
            "Penge 16+ Semi-Independent Flats",
            "Anerley Youth Homes Ltd",
            "SE20 7QA",
            "LBB-CS-2026-102",
            "Maya Brooks",
            "020 8778 2222",
            "flats@anerley.example",
            "Requires improvement",
            "2026-09-03",
        ],
    ]
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    sheet = demo_dir / "bromley-commissioned-services.csv"
    sheet.write_text(out.getvalue(), encoding="utf-8")
    with transaction.atomic(), scope(council=bromley):
        mapping = mapping_save(
            council=bromley, name=BROMLEY_MAPPING_NAME, columns=BROMLEY_MAPPING, options={}
        )
    run = import_from_path(
        path=sheet, format=ImportFormat.SPREADSHEET, council=bromley, mapping=mapping
    )
    echo(f"Bromley's own spreadsheet: {run.message}")

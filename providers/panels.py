"""Where the register shows itself on shared pages: its navigation entries and, on the start
page, the search and the council's recent imports."""

from core import extensions
from core.extensions import NavEntry, Panel
from providers.selectors import import_runs


def search_panel(*, request) -> dict | None:
    if not request.user.has_perm("providers.view_register", request.council):
        return None
    return {}


def imports_panel(*, request) -> dict | None:
    if not request.user.has_perm("providers.view_imports", request.council):
        return None
    runs = list(import_runs(council=request.council)[:5])
    return {"recent_imports": runs} if runs else None


def local_record_panel(*, request, location, forms) -> dict | None:
    """The council's own details of the location (from its spreadsheet), if it keeps any."""
    record = getattr(location, "local_record", None)
    if record is None or not request.user.has_perm("providers.view_register", request.council):
        return None
    return {"record": record, "own_service": location.owner_council_id is not None}


def register() -> None:
    extensions.navigation.register(
        NavEntry(
            "register",
            "Providers and locations",
            "location-search",
            "providers.view_register",
            10,
            sections=("/locations/", "/providers/"),
        )
    )
    extensions.navigation.register(
        NavEntry(
            "imports",
            "Imports",
            "import-list",
            "providers.view_imports",
            60,
            sections=("/imports/",),
        )
    )
    extensions.navigation.register(
        NavEntry(
            "national-register",
            "National register",
            "register-home",
            "providers.keep_register",
            95,
            sections=("/register/",),
        )
    )
    extensions.location_page.register(
        Panel(
            "providers.local_record",
            "providers/panels/location_local_record.html",
            local_record_panel,
            25,
        )
    )
    extensions.start_page.register(
        Panel("providers.search", "providers/panels/start_search.html", search_panel, 60)
    )
    extensions.start_page.register(
        Panel("providers.imports", "providers/panels/start_imports.html", imports_panel, 80)
    )

"""Pages for the register and imports. Thin: forms in, selectors and services out."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django_scopes import scopes_disabled

from core import extensions
from core.forms import on_form
from core.views import council_view, require_perm
from providers import selectors
from providers.forms import ImportForm, LocationSearchForm, MappingForm, NationalImportForm
from providers.models import ColumnMapping, ImportFormat, ImportRun, Location, Provider
from providers.services import import_start, mapping_save
from providers.sync import register_sync_request, sync_state

PAGE_SIZE = 25


@council_view("providers.view_register")
def location_search(request):
    form = LocationSearchForm(request.GET or None)
    filters = form.filters() if form.is_bound else selectors.LocationFilters()
    page = Paginator(
        selectors.location_search(council=request.council, filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The council's own services first, on the first page (issue 13), then every match.
    first = (
        selectors.ours_first(council=request.council, filters=filters) if page.number == 1 else []
    )
    shown = [*first, *page.object_list]
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "ours_first": first,
        "ours": selectors.ours_among(council=request.council, ids={loc.pk for loc in shown}),
        "columns": extensions.columns(request=request, locations=shown, where="search"),
    }
    template = (
        "providers/_location_results.html"
        if request.htmx and request.htmx.target == "results"
        else "providers/location_search.html"
    )
    return render(request, template, context)


@council_view("providers.view_register")
def location_detail(request, pk: int, forms: dict | None = None):
    """The register's record of a location, then the council's own record of it, composed
    from the panels each app registers (`core.extensions.location_page`). A panel's failed
    form comes back in `forms` (by name) with its errors."""
    try:
        location = selectors.location_detail(council=request.council, pk=pk)
    except Location.DoesNotExist:
        raise Http404 from None
    ratings = list(location.ratings.all())
    forms = forms or {}
    failed = next((f for f in forms.values() if f.errors), None)
    return render(
        request,
        "providers/location_detail.html",
        {
            "location": location,
            "current": ratings[0] if ratings else None,
            "ratings": ratings,
            "failed_form": failed,
            "panels": extensions.panels(
                extensions.location_page, request=request, location=location, forms=forms
            ),
            "banners": extensions.panels(
                extensions.location_banner, request=request, location=location
            ),
        },
        status=400 if failed else 200,
    )


@login_required
def location_by_cqc_id(request, cqc_id: str):
    location = Location.objects.filter(cqc_location_id=cqc_id, owner_council=None).first()
    if location is None:
        raise Http404
    return redirect("location-detail", pk=location.pk)


@council_view("providers.view_register")
def provider_detail(request, pk: int):
    try:
        provider = selectors.provider_detail(council=request.council, pk=pk)
    except Provider.DoesNotExist:
        raise Http404 from None
    return render(request, "providers/provider_detail.html", {"provider": provider})


@council_view("providers.view_imports")
def import_list(request):
    council = request.council
    can_run = request.user.has_perm("providers.run_import", council)
    form = None
    if can_run:
        form = ImportForm(request.POST or None, request.FILES or None, council=council)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
                form.add_error("file", "The file is too large.")
            else:
                ok, run = on_form(
                    form,
                    lambda: import_start(
                        council=council,
                        actor=request.user,
                        format=ImportFormat.SPREADSHEET,
                        filename=upload.name,
                        content=upload.read(),
                        mapping=form.cleaned_data["mapping"],
                    ),
                )
                if ok:
                    messages.success(request, f"Import of {run.source_name} started.")
                    return redirect("import-detail", pk=run.pk)
    elif request.method == "POST":
        require_perm(request, "providers.run_import")
    page = Paginator(selectors.import_runs(council=council), 20).get_page(request.GET.get("page"))
    return render(request, "providers/import_list.html", {"form": form, "page": page})


@council_view("providers.view_imports")
def import_detail(request, pk: int):
    try:
        run = selectors.import_runs(council=request.council).get(pk=pk)
    except ImportRun.DoesNotExist:
        raise Http404 from None
    problems = Paginator(run.problems.all(), 50).get_page(request.GET.get("page"))
    template = "providers/_import_status.html" if request.htmx else "providers/import_detail.html"
    return render(request, template, {"run": run, "problems": problems})


@council_view("providers.view_imports")
def mapping_list(request):
    return render(
        request,
        "providers/mapping_list.html",
        {
            "mappings": ColumnMapping.objects.filter(council=request.council),
            "can_edit": request.user.has_perm("providers.manage_mappings", request.council),
        },
    )


@council_view("providers.manage_mappings")
def mapping_edit(request, pk: int | None = None):
    """Create or change a column mapping; saving under an existing name replaces it."""
    mapping = None
    if pk is not None:
        mapping = ColumnMapping.objects.filter(council=request.council, pk=pk).first()
        if mapping is None:
            raise Http404
    initial = MappingForm.initial_for(mapping) if mapping else None
    form = MappingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        name, columns, options = form.mapping_values()
        if mapping is not None and name != mapping.name:
            form.add_domain_errors({"name": ["A mapping keeps its name."]})
        elif on_form(
            form,
            lambda: mapping_save(
                council=request.council,
                name=name,
                columns=columns,
                options=options,
                actor=request.user,
            ),
        )[0]:
            messages.success(request, f"Column mapping “{name}” saved.")
            return redirect("mapping-list")
    return render(request, "providers/mapping_form.html", {"form": form, "mapping": mapping})


# --- The national register's keepers (no council's role) --------------------------------------


def keeper_view(view):
    """A page for the national register's keepers: signed in, with the role, any council."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("providers.keep_register"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@keeper_view
def register_home(request):
    """The register's sources: the sync with CQC (where it stands, run it now) and CQC's
    files brought in by hand; the national imports and syncs below."""
    form = NationalImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "sync" in request.POST:
        register_sync_request(actor=request.user)
        messages.success(request, "The sync with CQC has been asked to run now.")
        return redirect("register-home")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            form.add_error("file", "The file is too large.")
        else:
            ok, run = on_form(
                form,
                lambda: import_start(
                    council=None,
                    actor=request.user,
                    format=form.cleaned_data["format"],
                    filename=upload.name,
                    content=upload.read(),
                ),
            )
            if ok:
                messages.success(request, f"Import of {run.source_name} started.")
                return redirect("register-import", pk=run.pk)
    page = Paginator(selectors.national_import_runs(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "providers/register_home.html",
        {"form": form, "page": page, "sync": sync_state(), "sync_on": settings.CQC_SYNC_ENABLED},
        status=400 if form.errors else 200,
    )


@keeper_view
def register_import(request, pk: int):
    try:
        run = selectors.national_import_run(pk=pk)
    except ImportRun.DoesNotExist:
        raise Http404 from None
    with scopes_disabled():
        problems = Paginator(run.problems.all(), 50).get_page(request.GET.get("page"))
        template = (
            "providers/_import_status.html" if request.htmx else "providers/import_detail.html"
        )
        return render(request, template, {"run": run, "problems": problems, "national": True})

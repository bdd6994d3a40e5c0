"""Pages for the register and imports. Thin: forms in, selectors and services out."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from core.errors import ValidationFailed
from core.views import require_perm
from providers import selectors
from providers.forms import ImportForm, LocationSearchForm, MappingForm
from providers.models import ColumnMapping, ImportRun, Location, Provider
from providers.services import import_start, mapping_save

PAGE_SIZE = 25


@login_required
def location_search(request):
    require_perm(request, "providers.view_register")
    form = LocationSearchForm(request.GET or None)
    filters = form.filters() if form.is_bound else selectors.LocationFilters()
    page = Paginator(selectors.location_search(filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "filters": filters, "query": query.urlencode()}
    template = (
        "providers/_location_results.html"
        if request.htmx and request.htmx.target == "results"
        else "providers/location_search.html"
    )
    return render(request, template, context)


@login_required
def location_detail(request, pk: int, risk_form=None):
    require_perm(request, "providers.view_register")
    try:
        location = selectors.location_detail(pk=pk)
    except Location.DoesNotExist:
        raise Http404 from None
    ratings = list(location.ratings.all())
    context = {"location": location, "current": ratings[0] if ratings else None, "ratings": ratings}
    context.update(_council_view_of(request, location, risk_form))
    return render(request, "providers/location_detail.html", context)


def _council_view_of(request, location, risk_form=None) -> dict:
    """The current council's own record of this location: what it commissions there (with
    high impact and market risk) and its latest intelligence."""
    from monitoring import selectors as monitoring

    council, user = request.council, request.user
    out = {}
    if user.has_perm("monitoring.view_commissioning", council):
        commissioning = monitoring.commissioning_of(council=council, location_id=location.pk)
        out["commissioning"] = commissioning
        out["can_change_commissioning"] = user.has_perm("monitoring.change_commissioning", council)
        if commissioning is not None:
            out["position"] = monitoring.market_position(
                council=council, commissioning=commissioning
            )
    if council is not None and "escalation" in council.active_policy.content:
        from concerns.ladder import Ladder
        from concerns.selectors import open_case_of
        from councils.permissions import roles_in

        ladder = Ladder.of(council)
        if user.has_perm("concerns.view_case", council):
            case = open_case_of(council=council, location=location)
            out["case"] = case
            out["case_stage"] = ladder.stage_label(case.stage) if case else ""
            out["can_open_case"] = user.has_perm("concerns.open_case", council)
        # Exceptions the person may ask for (000 5: the Placement Officer for family choice).
        mine = roles_in(user, council)
        out["exceptions"] = [x for x in ladder.exceptions if x.by & mine]
    if user.has_perm("monitoring.view_intelligence", council):
        filters = monitoring.IntelligenceFilters(location=location.pk)
        items = monitoring.intelligence_list(council=council, filters=filters)
        out["intelligence"] = list(items[:10])
        out["intelligence_count"] = (
            items.count() if len(out["intelligence"]) == 10 else len(out["intelligence"])
        )
        out["can_record_intelligence"] = user.has_perm("monitoring.record_intelligence", council)
        out["reviews"] = monitoring.location_reviews(council=council, location_id=location.pk)
        out["plans"] = monitoring.location_plans(council=council, location_id=location.pk)
        out["review_kinds"] = {
            t["key"]: t["label"] for t in council.active_policy.content["reviews"]["types"]
        }
        out["risk"], out["risk_history"] = monitoring.risk_of(
            council=council, location_id=location.pk
        )
        if user.has_perm("monitoring.change_monitoring", council):
            from monitoring.forms import RiskOverrideForm

            out["risk_form"] = risk_form or RiskOverrideForm(prefix="risk")
    return out


@login_required
def location_by_cqc_id(request, cqc_id: str):
    location = Location.objects.filter(cqc_location_id=cqc_id).only("pk").first()
    if location is None:
        raise Http404
    return redirect("location-detail", pk=location.pk)


@login_required
def provider_detail(request, pk: int):
    require_perm(request, "providers.view_register")
    try:
        provider = selectors.provider_detail(pk=pk)
    except Provider.DoesNotExist:
        raise Http404 from None
    return render(request, "providers/provider_detail.html", {"provider": provider})


@login_required
def import_list(request):
    require_perm(request, "providers.view_imports")
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
                try:
                    run = import_start(
                        council=council,
                        actor=request.user,
                        format=form.cleaned_data["format"],
                        filename=upload.name,
                        content=upload.read(),
                        mapping=form.cleaned_data["mapping"],
                    )
                except ValidationFailed as exc:
                    form.add_domain_errors(exc.errors)
                else:
                    messages.success(request, f"Import of {run.source_name} started.")
                    return redirect("import-detail", pk=run.pk)
    elif request.method == "POST":
        require_perm(request, "providers.run_import")
    page = Paginator(selectors.import_runs(council=council), 20).get_page(request.GET.get("page"))
    return render(request, "providers/import_list.html", {"form": form, "page": page})


@login_required
def import_detail(request, pk: int):
    require_perm(request, "providers.view_imports")
    try:
        run = selectors.import_runs(council=request.council).get(pk=pk)
    except ImportRun.DoesNotExist:
        raise Http404 from None
    problems = Paginator(run.problems.all(), 50).get_page(request.GET.get("page"))
    template = "providers/_import_status.html" if request.htmx else "providers/import_detail.html"
    return render(request, template, {"run": run, "problems": problems})


@login_required
def mapping_list(request):
    require_perm(request, "providers.view_imports")
    return render(
        request,
        "providers/mapping_list.html",
        {
            "mappings": ColumnMapping.objects.filter(council=request.council),
            "can_edit": request.user.has_perm("providers.manage_mappings", request.council),
        },
    )


@login_required
def mapping_edit(request, pk: int | None = None):
    """Create or change a column mapping; saving under an existing name replaces it."""
    require_perm(request, "providers.manage_mappings")
    mapping = None
    if pk is not None:
        mapping = ColumnMapping.objects.filter(council=request.council, pk=pk).first()
        if mapping is None:
            raise Http404
    initial = MappingForm.initial_for(mapping) if mapping else None
    form = MappingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        name, columns, options = form.mapping_values()
        try:
            if mapping is not None and name != mapping.name:
                raise ValidationFailed("", errors={"name": ["A mapping keeps its name."]})
            mapping_save(
                council=request.council,
                name=name,
                columns=columns,
                options=options,
                actor=request.user,
            )
        except ValidationFailed as exc:
            errors = {}
            for key, messages_ in exc.errors.items():
                field = key.replace("columns.", "col_").replace("options.", "")
                errors[field] = messages_
            form.add_domain_errors(errors)
        else:
            messages.success(request, f"Column mapping “{name}” saved.")
            return redirect("mapping-list")
    return render(request, "providers/mapping_form.html", {"form": form, "mapping": mapping})

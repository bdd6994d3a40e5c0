"""Pages: search, location and provider pages, imports. Lists run a constant number of
queries whatever the number of rows."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Role
from providers.models import ImportRun, LocalRecord, Location, ServiceType
from providers.services import mapping_save
from tests.factories import LocationFactory, ProviderFactory, RatingFactory

pytestmark = pytest.mark.django_db


def _locations(n, **kwargs):
    provider = ProviderFactory()
    care = ServiceType.objects.get_or_create(name="Care home service with nursing")[0]
    made = LocationFactory.create_batch(n, provider=provider, **kwargs)
    for loc in made:
        loc.service_types.add(care)
    return made


def _queries(client, url):
    client.get(url)  # warm the cached filter options, which cost the same at any size
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/locations/",
        "/locations/?q=Location",
        "/locations/?postcode=BR1&rating=below_good",
        "/locations/?service_type=Care+home+service+with+nursing&page=2",
        "/api/v1/locations/?q=Location",
        "/imports/",
        "/api/v1/imports/",
    ],
)
def test_lists_run_a_constant_number_of_queries(url, council_a, officer_a, signed_in, cache):
    client = signed_in(officer_a)
    _locations(30, overall_rating="Inadequate")
    for i in range(3):
        ImportRun.objects.create(
            council=council_a, format="cqc_json", source_name=f"{i}.json", created_by=officer_a
        )
    few = _queries(client, url)
    _locations(120, overall_rating="Requires improvement")
    for i in range(30):
        ImportRun.objects.create(
            council=council_a, format="cqc_json", source_name=f"m{i}.json", created_by=officer_a
        )
    assert _queries(client, url) == few


@pytest.fixture
def cache():
    from django.core.cache import cache as django_cache

    django_cache.clear()
    yield django_cache
    django_cache.clear()


def test_search_filters(council_a, officer_a, signed_in, cache):
    meadow = LocationFactory(
        name="Meadow View", postcode="BR2 9XX", postcode_key="BR29XX", overall_rating="Inadequate"
    )
    LocationFactory(
        name="Oak Lodge",
        local_authority="Leeds",
        postcode="LS1 1AA",
        postcode_key="LS11AA",
        overall_rating="Good",
    )
    client = signed_in(officer_a)
    page = lambda q: client.get("/locations/", q).content.decode()  # noqa: E731
    assert "Meadow View" in page({"q": "meadow"}) and "Oak Lodge" not in page({"q": "meadow"})
    assert "Meadow View" in page({"postcode": "br2 9"})
    assert "Oak Lodge" in page({"local_authority": "Leeds"})
    assert "Meadow View" in page({"rating": "below_good"})
    assert "Oak Lodge" not in page({"rating": "below_good"})
    assert "Meadow View" in page({"cqc_id": meadow.cqc_location_id})
    assert "Oak Lodge" in page({"cqc_id": "", "q": "", "rating": "Good"})
    assert "No locations match" in page({"q": "zzzz"})


def test_search_answers_htmx_with_just_the_results(officer_a, signed_in, cache):
    LocationFactory(name="Meadow View")
    response = signed_in(officer_a).get(
        "/locations/", {"q": "meadow"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = response.content.decode()
    assert "Meadow View" in html and "<html" not in html


def test_location_page_shows_current_ratings_and_history(officer_a, signed_in):
    loc = LocationFactory(
        name="Meadow View", overall_rating="Requires improvement", rating_date=dt.date(2025, 6, 1)
    )
    RatingFactory(location=loc, report_date=dt.date(2023, 1, 5), overall="Good")
    RatingFactory(
        location=loc,
        report_date=dt.date(2025, 6, 1),
        overall="Requires improvement",
        safe="Inadequate",
        well_led="Requires improvement",
    )
    client = signed_in(officer_a)
    html = client.get(f"/locations/{loc.pk}/").content.decode()
    assert "Meadow View" in html
    assert html.index("1 Jun 2025") < html.index("5 Jan 2023")  # newest first
    assert "Inadequate" in html
    assert client.get(f"/locations/cqc/{loc.cqc_location_id}/")["Location"] == (
        f"/locations/{loc.pk}/"
    )
    assert client.get("/locations/999999/").status_code == 404


def test_location_page_for_a_location_without_cqc_registration(officer_a, signed_in):
    """000 1.ii: 16+ semi-independent provision is not regulated by Ofsted or CQC."""
    loc = LocationFactory(
        cqc_location_id=None,
        source_key="x|semi|br11aa",
        regulator="none",
        name="Semi-independent flat",
    )
    html = signed_in(officer_a).get(f"/locations/{loc.pk}/").content.decode()
    assert "Not registered with CQC" in html


def test_provider_page_lists_its_locations(officer_a, signed_in):
    provider = ProviderFactory(name="Stockdales")
    LocationFactory.create_batch(3, provider=provider)
    html = signed_in(officer_a).get(f"/providers/{provider.pk}/").content.decode()
    assert "Locations (3)" in html


def _our_mapping(council):
    return mapping_save(
        council=council,
        name="Our list",
        columns={
            "cqc_location_id": "CQC ID",
            "name": "Home",
            "provider_name": "Operator",
            "postcode": "Postcode",
            "contact_name": "Contact",
        },
    )


def test_import_from_the_browser(
    council_a, officer_a, signed_in, django_capture_on_commit_callbacks
):
    """The page imports the council's own spreadsheet: its record of a location on the
    register (the register's row untouched) and a service of its own."""
    elm = LocationFactory(cqc_location_id="1-000000001", name="Elm House")
    mapping = _our_mapping(council_a)
    upload = SimpleUploadedFile(
        "our-list.csv",
        b"CQC ID,Home,Operator,Postcode,Contact\n"
        b"1-000000001,Elm House,Elm Ltd,BR1 1AA,Ann Smith\n"
        b",Step Up flat,Step Up CIC,BR2 7ZZ,\n",
    )
    client = signed_in(officer_a)
    form = client.get("/imports/").content.decode()
    assert 'name="mapping"' in form and 'name="format"' not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"mapping": mapping.pk, "file": upload})
    assert response.status_code == 302
    run = ImportRun.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Done" in page
    assert "1 of your records of locations added or changed" in page
    assert "1 of your own services added" in page
    poll = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-status"' in poll and "<html" not in poll
    assert 'hx-trigger="every 1s"' not in poll  # finished: polling stops
    assert (run.council, run.format) == (council_a, "spreadsheet")
    assert LocalRecord.objects.get(council=council_a, location=elm).contact_name == "Ann Smith"
    elm.refresh_from_db()
    assert elm.name == "Elm House" and elm.owner_council is None
    assert Location.objects.get(name="Step Up flat").owner_council == council_a


def test_import_form_errors_name_the_field(council_a, officer_a, signed_in):
    client = signed_in(officer_a)
    upload = SimpleUploadedFile("list.txt", b"Home,Operator\n")
    text = client.post("/imports/", {"mapping": _our_mapping(council_a).pk, "file": upload})
    text = text.content.decode()
    assert "There is a problem" in text and 'href="#id_file"' in text
    # No mapping chosen: the form names it.
    upload = SimpleUploadedFile("list.csv", b"Home,Operator\n")
    text = client.post("/imports/", {"file": upload}).content.decode()
    assert "There is a problem" in text and 'href="#id_mapping"' in text
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.PLACEMENT])
def test_imports_page_is_not_for_every_role(role, council_a, member, signed_in):
    assert signed_in(member(council_a, role)).get("/imports/").status_code == 403


def test_auditor_sees_imports_but_cannot_start_one(council_a, member, signed_in):
    client = signed_in(member(council_a, Role.AUDITOR))
    assert "Start import" not in client.get("/imports/").content.decode()
    assert client.post("/imports/", {"format": "cqc_json"}).status_code == 403


@pytest.mark.parametrize(
    ("q", "found"),
    [("meadow", True), ("BR2", True), ("br2 9", True), ("BR3", False), ("1-800000000", False)],
)
def test_one_box_finds_by_name_postcode_or_cqc_id(q, found, officer_a, signed_in, cache):
    """The start page's box says "Name, postcode or CQC ID": each works."""
    LocationFactory(name="Meadow View", postcode="BR2 9XX", postcode_key="BR29XX")
    html = signed_in(officer_a).get("/locations/", {"q": q}).content.decode()
    assert ("Meadow View" in html) is found


def test_one_box_finds_by_cqc_id(officer_a, signed_in, cache):
    loc = LocationFactory(name="Meadow View")
    client = signed_in(officer_a)
    assert "Meadow View" in client.get("/locations/", {"q": loc.cqc_location_id}).content.decode()
    assert (
        "Meadow View"
        in client.get("/locations/", {"q": loc.provider.cqc_provider_id}).content.decode()
    )


def test_navigation_shows_only_what_the_role_may_open(council_a, member, signed_in):
    placement = signed_in(member(council_a, Role.PLACEMENT)).get("/").content.decode()
    assert "Providers and locations" in placement and ">Imports<" not in placement


def test_demo_loads_five_councils_and_the_trafford_list(settings, tmp_path):
    """`make run`'s demo: five councils with their packs, a user per role, the register."""
    from core.demo import demo_load
    from councils.models import Council, Delegation, Membership
    from providers.models import LocalRecord, Location, RatingChange

    settings.VAR_DIR = tmp_path
    demo_load(echo=lambda *_: None, synthetic_locations=20)
    assert Council.objects.count() == 5
    assert all(c.active_policy for c in Council.objects.all())
    for council in Council.objects.all():
        roles = set(Membership.objects.filter(council=council).values_list("role", flat=True))
        assert roles == set(Role.values)
    stockdales = Location.objects.filter(provider__name__startswith="Stockdales Of Sale")
    assert stockdales.count() == 5  # the Trafford list, providers grouped
    # 20 synthetic + the 56 Trafford homes on the national register; Bromley's own list adds
    # two 16+ services outside CQC's register (000 1.ii), Bromley's alone.
    assert Location.objects.filter(owner_council=None).count() == 76
    own = Location.objects.exclude(owner_council=None)
    assert own.count() == 2 and {loc.owner_council.code for loc in own} == {"bromley"}
    assert LocalRecord.objects.filter(council__code="bromley").count() >= 3
    assert not RatingChange.objects.exists()  # a council's list rates nothing for CQC
    assert Delegation.objects.filter(council__code="bromley").exists()
    demo_load(echo=lambda *_: None, synthetic_locations=20)  # loading again changes nothing
    assert Location.objects.count() == 78


def test_manager_makes_a_column_mapping_in_the_browser(council_a, member, signed_in):
    from providers.models import ColumnMapping

    client = signed_in(member(council_a, Role.MANAGER))
    assert client.get("/imports/mappings/new/").status_code == 200
    bad = client.post(
        "/imports/mappings/new/",
        {
            "name": "Our list",
            "header_row": 1,
            "service_type_separator": "|",
            "regulator": "CQC",
            "col_name": "Home",
        },
    )
    html = bad.content.decode()
    assert "There is a problem" in html and 'href="#id_col_provider_name"' in html
    good = client.post(
        "/imports/mappings/new/",
        {
            "name": "Our list",
            "header_row": 2,
            "service_type_separator": ";",
            "null_values": "NA, none",
            "regulator": "CQC",
            "col_name": "Home",
            "col_provider_name": "Operator",
            "col_postcode": "Post code",
        },
    )
    assert good.status_code == 302
    mapping = ColumnMapping.objects.get()
    assert mapping.columns == {"name": "Home", "provider_name": "Operator", "postcode": "Post code"}
    assert mapping.options["header_row"] == 2 and mapping.options["null_values"] == [
        "",
        "NA",
        "none",
    ]
    edit = client.get(f"/imports/mappings/{mapping.pk}/").content.decode()
    assert 'value="Operator"' in edit


def test_officers_read_mappings_but_do_not_change_them(council_a, council_b, member, signed_in):
    from providers.services import mapping_save

    theirs = mapping_save(
        council=council_b, name="Theirs", columns={"name": "A", "provider_name": "B"}
    )
    officer = signed_in(member(council_a, Role.OFFICER))
    assert officer.get("/imports/mappings/").status_code == 200
    assert officer.get("/imports/mappings/new/").status_code == 403
    manager = signed_in(member(council_a, Role.MANAGER))
    assert manager.get(f"/imports/mappings/{theirs.pk}/").status_code == 404


def test_lists_page_with_their_filters_kept(officer_a, signed_in, cache):
    _locations(30, overall_rating="Good")
    html = signed_in(officer_a).get("/locations/", {"rating": "Good"}).content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?rating=Good&amp;page=2" rel="next"' in html
    second = signed_in(officer_a).get("/locations/", {"rating": "Good", "page": 2})
    assert 'rel="prev"' in second.content.decode()

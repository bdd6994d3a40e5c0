"""The national register (shared by every council, never scoped): providers, their
locations, and regulator ratings as history. It changes only from authoritative sources (CQC's
API and directory files, brought in by the national register's keepers). Import runs, column
mappings and a council's own records of locations (`LocalRecord`, and the services outside
CQC's register it adds, `owner_council`) are a council's own."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class RatingValue(models.TextChoices):
    OUTSTANDING = "Outstanding", "Outstanding"
    GOOD = "Good", "Good"
    REQUIRES_IMPROVEMENT = "Requires improvement", "Requires improvement"
    INADEQUATE = "Inadequate", "Inadequate"
    NONE = "No published rating", "No published rating"
    INSUFFICIENT = "Insufficient evidence to rate", "Insufficient evidence to rate"


# Ordered best first: a rating "below Good" sits after Good here.
RATING_ORDER = [
    RatingValue.OUTSTANDING,
    RatingValue.GOOD,
    RatingValue.REQUIRES_IMPROVEMENT,
    RatingValue.INADEQUATE,
]
KEY_QUESTIONS = [
    ("safe", "Safe"),
    ("effective", "Effective"),
    ("caring", "Caring"),
    ("responsive", "Responsive"),
    ("well_led", "Well-led"),
]


class Regulator(models.TextChoices):
    CQC = "CQC", "Care Quality Commission"
    OFSTED = "Ofsted", "Ofsted"
    NONE = "none", "Not regulated"


class Provider(models.Model):
    cqc_provider_id = models.CharField(max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(max_length=300, db_index=True)
    name_key = models.CharField(
        max_length=300, db_index=True, help_text="Normalised name, to group rows without an ID."
    )
    companies_house_number = models.CharField(max_length=20, blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    ownership_type = models.CharField(max_length=100, blank=True)
    nominated_individual = models.CharField(max_length=200, blank=True)
    registration_status = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=300, blank=True)
    address = models.CharField(max_length=400, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    owner_council = models.ForeignKey(
        "councils.Council",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The council whose own record this is (a provider outside CQC's register); "
        "empty for the national register.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or self.cqc_provider_id or f"Provider {self.pk}"


class ServiceType(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Location(models.Model):
    """A service: a care home, a home care branch, supported living; with or without a
    regulator registration (000 1.ii: 16+ semi-independent provision is not registered)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="locations")
    cqc_location_id = models.CharField(max_length=20, unique=True, null=True, blank=True)
    source_key = models.CharField(
        max_length=400,
        unique=True,
        null=True,
        blank=True,
        help_text="Identity for a location without a CQC ID: provider, name and postcode.",
    )
    regulator = models.CharField(max_length=10, choices=Regulator.choices, default=Regulator.CQC)
    owner_council = models.ForeignKey(
        "councils.Council",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The council whose own record this is: a service outside CQC's register "
        "(000 1.ii: 16+ semi-independent provision), seen only by that council. Empty for the "
        "national register.",
    )
    name = models.CharField(max_length=300, db_index=True)
    address_line1 = models.CharField(max_length=300, blank=True)
    address_line2 = models.CharField(max_length=300, blank=True)
    town = models.CharField(max_length=120, blank=True)
    county = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    postcode_key = models.CharField(max_length=12, blank=True, db_index=True)
    local_authority = models.CharField(max_length=120, blank=True, db_index=True)
    region = models.CharField(max_length=120, blank=True)
    service_types = models.ManyToManyField(ServiceType, blank=True, related_name="locations")
    care_home = models.BooleanField(null=True)
    beds = models.PositiveIntegerField(null=True, blank=True)
    registration_status = models.CharField(max_length=40, blank=True)
    registration_date = models.DateField(null=True, blank=True)
    deregistration_date = models.DateField(null=True, blank=True)
    dormant = models.BooleanField(null=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=300, blank=True)
    last_inspection_date = models.DateField(null=True, blank=True)
    # The latest rating, kept on the row so that search filters and lists need no join.
    overall_rating = models.CharField(max_length=40, blank=True, db_index=True)
    rating_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["local_authority", "name"])]

    def __str__(self):
        return self.name

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.town, self.county, self.postcode]
        return ", ".join(p for p in parts if p)


class Rating(models.Model):
    """One published assessment: overall and the five key questions (history, never
    overwritten)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="ratings")
    regulator = models.CharField(max_length=10, choices=Regulator.choices, default=Regulator.CQC)
    report_date = models.DateField()
    report_link_id = models.CharField(max_length=80, blank=True)
    overall = models.CharField(max_length=40, blank=True)
    safe = models.CharField(max_length=40, blank=True)
    effective = models.CharField(max_length=40, blank=True)
    caring = models.CharField(max_length=40, blank=True)
    responsive = models.CharField(max_length=40, blank=True)
    well_led = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-report_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "regulator", "report_date", "report_link_id"],
                name="rating_once_per_report",
            )
        ]
        # The latest results published (reports, issue 13): read backwards, stop at the page.
        indexes = [models.Index(fields=["report_date", "id"], name="rating_published")]

    def __str__(self):
        return f"{self.location}: {self.overall} ({self.report_date})"

    @property
    def key_questions(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, field)) for field, label in KEY_QUESTIONS]


class RatingChange(models.Model):
    """A "regulator rating changed" event: a location already on the register received a
    new latest rating. Later work reacts to these (003: below Good is an automatic default)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="rating_changes")
    previous = models.ForeignKey(
        Rating, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    current = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="+")
    previous_overall = models.CharField(max_length=40, blank=True)
    current_overall = models.CharField(max_length=40, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True, db_index=True)
    import_run = models.ForeignKey(
        "providers.ImportRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["location", "current"], name="rating_change_once")
        ]

    def __str__(self):
        return f"{self.location}: {self.previous_overall or 'none'} → {self.current_overall}"


class ImportFormat(models.TextChoices):
    CQC_JSON = "cqc_json", "CQC API records (JSON)"
    CQC_CSV = "cqc_csv", "CQC care directory (CSV)"
    CQC_API = "cqc_api", "CQC Syndication API (scheduled)"
    SPREADSHEET = "spreadsheet", "Council spreadsheet (CSV or XLSX) with a column mapping"


# The authoritative sources: only the national register's keepers (and the schedule) use them.
NATIONAL_FORMATS = (ImportFormat.CQC_JSON, ImportFormat.CQC_CSV, ImportFormat.CQC_API)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"


class ColumnMapping(models.Model):
    """How a council's own spreadsheet's columns map onto the register's fields."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="column_mappings"
    )
    name = models.CharField(max_length=120)
    columns = models.JSONField(help_text="Register field → the spreadsheet's column heading.")
    options = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="mapping_name_once")
        ]

    def __str__(self):
        return self.name


def import_upload_path(instance, filename):
    return f"imports/{instance.council_id or 'national'}/{filename}"


class ImportRun(models.Model):
    """One import: its file, progress and report (kept)."""

    council = models.ForeignKey(
        "councils.Council",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_runs",
        help_text="The council whose user started it; empty for a national import from the shell.",
    )
    format = models.CharField(max_length=20, choices=ImportFormat.choices)
    mapping = models.ForeignKey(
        ColumnMapping, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    source_name = models.CharField(max_length=300)
    source_file = models.FileField(upload_to=import_upload_path, blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    message = models.TextField(blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    providers_created = models.PositiveIntegerField(default=0)
    locations_created = models.PositiveIntegerField(default=0)
    locations_updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    ratings_added = models.PositiveIntegerField(default=0)
    rating_changes = models.PositiveIntegerField(default=0)
    local_records = models.PositiveIntegerField(
        default=0, help_text="The council's own records of national locations added or changed."
    )
    problem_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Import {self.pk}: {self.source_name}"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED)


class ImportProblem(models.Model):
    """A row or record that could not be imported, and why; good rows still were."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problems")
    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    row = models.PositiveIntegerField(help_text="Row number in the file, or record number.")
    identifier = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=500)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["row", "id"]

    def __str__(self):
        return f"Row {self.row}: {self.reason}"


class LocalRecord(models.Model):
    """A council's own record about a location: the name it knows it by, its contacts and
    contract reference, and its own assessment of the service. Brought by the council's
    spreadsheet or kept by hand; never the register's record, and a rating here is the
    council's assessment, never CQC's (issue 11, finding 1)."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="local_records"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="local_records")
    local_name = models.CharField(max_length=300, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    contract_reference = models.CharField(max_length=100, blank=True)
    assessed_rating = models.CharField(
        max_length=40, blank=True, help_text="The council's own assessment, never CQC's rating."
    )
    assessed_on = models.DateField(null=True, blank=True)
    import_run = models.ForeignKey(
        "providers.ImportRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "location"], name="local_record_once")
        ]

    def __str__(self):
        return f"{self.council}'s record of {self.location}"


LOCAL_FIELDS = (
    "local_name",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contract_reference",
    "assessed_rating",
    "assessed_on",
)


class RegisterSync(models.Model):
    """Where the scheduled sync with an authoritative source stands: the cursor up to which
    its changes are applied, and the window in progress, kept so that a sync that fails part
    way resumes where it stopped instead of starting again."""

    source = models.CharField(max_length=20, unique=True, default="cqc_api")
    cursor = models.DateTimeField(
        null=True, blank=True, help_text="Every change up to this moment is applied."
    )
    window_end = models.DateTimeField(null=True, blank=True)
    pending_locations = models.JSONField(default=list, blank=True)
    pending_providers = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    last_run = models.ForeignKey(
        "providers.ImportRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_error = models.TextField(blank=True)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    last_done_at = models.DateTimeField(null=True, blank=True)
    calls = models.PositiveIntegerField(default=0, help_text="API calls in the last sync")

    def __str__(self):
        return f"Sync with {self.source}"

    @property
    def pending(self) -> int:
        return max(len(self.pending_providers) + len(self.pending_locations) - self.position, 0)

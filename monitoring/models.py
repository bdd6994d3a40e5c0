"""A council's own monitoring of the locations it commissions or that lie in its area:
its commissioning relationship with each, and the intelligence it receives about them."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.limits import TEXT_MAX
from providers.models import RatingValue


class ContractType(models.TextChoices):
    BLOCK = "block", "Block"
    SPOT = "spot", "Spot"
    FRAMEWORK = "framework", "Framework"
    NONE = "none", "No contract"


class Commissioning(models.Model):
    """The council's relationship with one location: what it buys there and how much.
    High impact (001 3.1) and market risk (003 1.8) are derived from it, never stored."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.PROTECT, related_name="commissionings"
    )
    contract_type = models.CharField(max_length=12, choices=ContractType.choices)
    in_area = models.BooleanField(help_text="Whether the location is in the council's area.")
    annual_spend = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    beds = models.PositiveIntegerField(default=0, help_text="Beds commissioned")
    home_care_hours = models.DecimalField(
        max_digits=9, decimal_places=2, default=0, help_text="Home care hours a week"
    )
    people = models.PositiveIntegerField(default=0, help_text="People funded")
    specialist_service = models.CharField(
        max_length=200, blank=True, help_text="The specialist service, if it provides one."
    )
    contact_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "location"], name="commissioning_once"),
            models.CheckConstraint(
                condition=models.Q(annual_spend__gte=0) & models.Q(home_care_hours__gte=0),
                name="commissioning_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.council} commissions {self.location}"


class Source(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    SAFEGUARDING_ALERT = "safeguarding_alert", "Safeguarding alert"
    SAFEGUARDING_ENQUIRY = "safeguarding_enquiry", "Safeguarding enquiry"
    WHISTLEBLOWING = "whistleblowing", "Whistleblowing"
    CQC = "cqc", "CQC"
    PROFESSIONAL = "professional_feedback", "Professional feedback"
    CQ1 = "cq1", "CQ1"
    SQF = "service_quality_feedback", "Service quality feedback"
    HEALTHWATCH = "healthwatch", "Healthwatch"
    OTHER_COUNCIL = "another_council", "Another council"
    COMPLIMENT = "compliment", "Compliment"
    PROVIDER_NOTIFICATION = "provider_notification", "Provider notification"


class Outcome(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_ENQUIRY = "under_enquiry", "Under enquiry"
    UPHELD = "upheld", "Upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"
    NOT_LIABLE = "provider_not_liable", "Provider not liable"


class Intelligence(models.Model):
    """One piece of intelligence about a location, or about the whole provider.
    Never deleted: changes are corrections, each recorded with its reason."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=30)
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        "providers.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the intelligence concerns the whole provider.",
    )
    source = models.CharField(max_length=30, choices=Source.choices)
    received_on = models.DateField()
    themes = models.JSONField(default=list, blank=True)
    severity = models.CharField(max_length=30)
    narrative = models.TextField(max_length=TEXT_MAX)
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_on = models.DateField(null=True, blank=True)
    external_ref = models.CharField(
        max_length=100,
        blank=True,
        help_text="The sending system's own reference: posting it again changes nothing.",
    )
    rating_change = models.ForeignKey(
        "providers.RatingChange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="intelligence_ref_once"),
            models.UniqueConstraint(
                fields=["council", "rating_change"],
                condition=models.Q(rating_change__isnull=False),
                name="intelligence_once_per_rating_change",
            ),
            models.UniqueConstraint(
                fields=["council", "source", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="intelligence_once_per_external_ref",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "location", "received_on"]),
            models.Index(fields=["council", "provider", "received_on"]),
            models.Index(fields=["council", "allocated_to", "outcome"]),
        ]
        verbose_name_plural = "intelligence"

    def __str__(self):
        return (
            f"{self.reference}: {self.get_source_display()} about {self.location or self.provider}"
        )

    @property
    def counts_toward_risk(self) -> bool:
        """004 11.1: found "in no way liable", it is removed from the risk figures."""
        return self.outcome != Outcome.NOT_LIABLE


class IntelligenceCorrection(models.Model):
    """A change to an item: what it was, what it became, who, when and why."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Intelligence, on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField(max_length=40)
    old_value = models.TextField(max_length=TEXT_MAX, blank=True)
    new_value = models.TextField(max_length=TEXT_MAX, blank=True)
    reason = models.TextField(max_length=TEXT_MAX)
    by_label = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.item.reference}: {self.field} corrected"


def attachment_path(instance, filename):
    return f"intelligence/{instance.council_id}/{instance.item_id}/{filename}"


class IntelligenceAttachment(models.Model):
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Intelligence, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by_label = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class RiskRating(models.Model):
    """A location's place on the council's risk matrix: the computed score and RAG with each
    factor's contribution (the "why"), and the RAG in force, which an officer's override
    may set for a while."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=9, decimal_places=2)
    computed_rag = models.CharField(max_length=5, choices=Rag.choices)
    rag = models.CharField(max_length=5, choices=Rag.choices, db_index=True)
    factors = models.JSONField(default=list)
    override = models.ForeignKey(
        "monitoring.RiskOverride",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    computed_at = models.DateTimeField()
    policy_version = models.ForeignKey(
        "councils.PolicyVersion", on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager(council="council")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "location"], name="risk_once_per_location")
        ]
        indexes = [models.Index(fields=["council", "rag", "score"])]

    def __str__(self):
        return f"{self.location}: {self.get_rag_display()} ({self.score})"


class RiskOverride(models.Model):
    """An officer's RAG for a location, with the reason and until when (never open-ended)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="+")
    rag = models.CharField(max_length=5, choices=Rag.choices)
    reason = models.TextField(max_length=TEXT_MAX)
    expires_on = models.DateField()
    by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.location}: {self.get_rag_display()} until {self.expires_on}"


class RiskHistory(models.Model):
    """Each change of a location's score or RAG in force, and why."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    score = models.DecimalField(max_digits=9, decimal_places=2)
    computed_rag = models.CharField(max_length=5, choices=Rag.choices)
    rag = models.CharField(max_length=5, choices=Rag.choices)
    note = models.CharField(max_length=300)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["council", "location", "at"])]
        verbose_name_plural = "risk history"

    def __str__(self):
        return f"{self.location}: {self.rag} at {self.at:%Y-%m-%d}"


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Review(models.Model):
    """A review or visit of one location, of a type the council's pack names (004 8.1,
    002 5, 003 1.12). Its due dates (report, self-certification, next review) are kept here
    for the timers to watch."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    planned_for = models.DateField(null=True, blank=True)
    visited_on = models.DateField(null=True, blank=True)
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    announced = models.BooleanField(default=True)
    findings = models.TextField(max_length=TEXT_MAX, blank=True)
    evidence_seen = models.TextField(max_length=TEXT_MAX, blank=True)
    people_spoken_to = models.TextField(max_length=TEXT_MAX, blank=True)
    rating = models.CharField(
        max_length=30,
        choices=RatingValue.choices,
        blank=True,
        help_text="The council's own assessment rating, for a rated type (001: PAMMS).",
    )
    report_due_on = models.DateField(null=True, blank=True)
    report_sent_on = models.DateField(null=True, blank=True)
    self_certification_due_on = models.DateField(null=True, blank=True)
    next_due_on = models.DateField(null=True, blank=True)
    next_due_reason = models.CharField(max_length=300, blank=True)
    created_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-visited_on", "-planned_for", "-id"]
        indexes = [
            models.Index(fields=["council", "location", "status"]),
            models.Index(fields=["council", "status", "planned_for"]),
        ]

    def __str__(self):
        return f"{self.kind} of {self.location}"


class PlanKind(models.TextChoices):
    IMPROVEMENT = "improvement", "Improvement plan"
    SERIOUS_CONCERNS = "serious_concerns", "Serious Concerns action plan"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"


class ImprovementPlan(models.Model):
    """An improvement plan agreed with a provider (004 9), or a Serious Concerns action plan
    (001 Appendix 3): the same structure."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=PlanKind.choices, default=PlanKind.IMPROVEMENT)
    title = models.CharField(max_length=200)
    started_on = models.DateField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    failed_reviews = models.PositiveIntegerField(
        default=0, help_text="Reviews that found most actions not met."
    )
    created_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self):
        return self.title


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


class PlanAction(models.Model):
    """001 Appendix 3: "What is to be improved; Who will be responsible for making which
    improvements; Who in the Council will be responsible for monitoring the improvements;
    Timescales and dates for completion"."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField(max_length=TEXT_MAX)
    provider_lead = models.CharField(max_length=200)
    council_monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    evidence = models.TextField(max_length=TEXT_MAX, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.what[:60]


class PlanReview(models.Model):
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    met = models.PositiveIntegerField()
    not_met = models.PositiveIntegerField()
    results = models.JSONField(default=dict, help_text="Action id → met (true) or not (false).")
    notes = models.TextField(max_length=TEXT_MAX, blank=True)
    by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self):
        return f"Review of {self.plan} on {self.reviewed_on}"

    @property
    def majority_not_met(self) -> bool:
        return self.not_met * 2 > self.met + self.not_met

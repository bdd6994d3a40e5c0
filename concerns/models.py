"""Escalation: a council's formal handling of one location or a whole provider, moving up and
down its ladder (informal -> formal -> rectification -> final warning -> termination), the
safeguarding track beside it, the alerts its automatic rules raise, and what a move leaves
behind (letter requests for the notices to write; its time limits are `core.Timer` rows and
the decisions that approve moves are `decisions.Recommendation` rows)."""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_scopes import ScopedManager

from core.limits import TEXT_MAX
from core.records import AppendOnlyModel, append_only_manager


class Stage(models.TextChoices):
    """The canonical ladder; each council's pack names the stages it uses in its own words."""

    INFORMAL = "informal", "Informal"
    FORMAL = "formal", "Formal"
    RECTIFICATION = "rectification", "Rectification or default"
    FINAL_WARNING = "final_warning", "Final warning"
    TERMINATED = "terminated", "Terminated"
    CLOSED = "closed", "Closed"


LADDER = [s.value for s in Stage]
OPEN_STAGES = [s for s in LADDER if s != Stage.CLOSED]


def _from_all_open_but(target: str) -> list[str]:
    return [s for s in OPEN_STAGES if s != target]


class Case(ConcurrentTransitionMixin, models.Model):
    """One council's formal handling of one location, or of a whole provider (all its
    services in that council: 004 18.4). One open case per council and location at a time.

    The machine below is the canonical superset (any open stage to any other, closing from
    anywhere); the council's pack narrows it to its own moves, checked by the service."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=30)
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        "providers.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the case covers all of the provider's services (004 18.4).",
    )
    stage = FSMField(default=Stage.INFORMAL, choices=Stage.choices, protected=True)
    stage_since = models.DateTimeField()
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(max_length=TEXT_MAX, help_text="Why the case was opened.")
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by_label = models.CharField(max_length=200)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="case_reference_once"),
            models.UniqueConstraint(
                fields=["council", "location"],
                condition=~models.Q(stage="closed") & models.Q(location__isnull=False),
                name="one_open_case_per_location",
            ),
            models.UniqueConstraint(
                fields=["council", "provider"],
                condition=~models.Q(stage="closed") & models.Q(location__isnull=True),
                name="one_open_case_per_whole_provider",
            ),
        ]
        indexes = [models.Index(fields=["council", "stage"])]

    def __str__(self):
        return f"{self.reference}: {self.subject_label}"

    @property
    def subject_label(self) -> str:
        if self.location_id:
            return str(self.location)
        return f"{self.provider} (all services)"

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    # Transition methods only change the state; services do the rest.
    @transition(field=stage, source=_from_all_open_but(Stage.INFORMAL), target=Stage.INFORMAL)
    def to_informal(self):
        pass

    @transition(field=stage, source=_from_all_open_but(Stage.FORMAL), target=Stage.FORMAL)
    def to_formal(self):
        pass

    @transition(
        field=stage, source=_from_all_open_but(Stage.RECTIFICATION), target=Stage.RECTIFICATION
    )
    def to_rectification(self):
        pass

    @transition(
        field=stage, source=_from_all_open_but(Stage.FINAL_WARNING), target=Stage.FINAL_WARNING
    )
    def to_final_warning(self):
        pass

    @transition(field=stage, source=_from_all_open_but(Stage.TERMINATED), target=Stage.TERMINATED)
    def to_terminated(self):
        pass

    @transition(field=stage, source=OPEN_STAGES, target=Stage.CLOSED)
    def to_closed(self):
        pass


class CaseMove(AppendOnlyModel):
    """A move made: who, when, from, to, why, with what evidence, under which policy."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="moves")
    move_key = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.TextField(max_length=TEXT_MAX)
    evidence = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    recommendation = models.ForeignKey(
        "decisions.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    policy_version = models.ForeignKey(
        "councils.PolicyVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = append_only_manager(council="council")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "case move"

    def __str__(self):
        return f"{self.case.reference}: {self.from_stage} -> {self.to_stage}"


class LetterStatus(models.TextChoices):
    REQUESTED = "requested", "To be written"
    ISSUED = "issued", "Issued"


class LetterRequest(models.Model):
    """A letter a move or decision calls for (003 Rectification Notice; 004 19.1 decision
    letter). The notices issue writes and sends it."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="letters"
    )
    move = models.ForeignKey(CaseMove, on_delete=models.PROTECT, null=True, blank=True)
    recommendation = models.ForeignKey(
        "decisions.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    letter = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    seed = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=LetterStatus.choices, default=LetterStatus.REQUESTED
    )
    requested_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self):
        return f"{self.label} ({self.get_status_display()})"


class SafeguardingTrack(models.Model):
    """Serious Concerns / Whole Service Concern, beside any stage of the case (001 App. 3;
    003 Key principles 2), with its own meetings and action plan."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="safeguarding")
    label = models.CharField(max_length=200)
    reason = models.TextField(max_length=TEXT_MAX)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by_label = models.CharField(max_length=200)
    plan = models.ForeignKey(
        "monitoring.ImprovementPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The Serious Concerns action plan (001 App. 3).",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(max_length=TEXT_MAX, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_safeguarding_track_per_case",
            )
        ]

    def __str__(self):
        return f"{self.label} ({self.case.reference})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SafeguardingMeeting(models.Model):
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    track = models.ForeignKey(SafeguardingTrack, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    attendees = models.TextField(max_length=TEXT_MAX)
    notes = models.TextField(max_length=TEXT_MAX)
    next_meeting_on = models.DateField(null=True, blank=True)
    recorded_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.track.label} meeting on {self.held_on:%d %b %Y}"


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    ACTED = "acted", "Acted on"
    DISMISSED = "dismissed", "Dismissed"


class Alert(models.Model):
    """What an automatic trigger raised, once per cause: a case it opened, or an item in the
    officers' queue suggesting a move or a decision (003 Key principles; 004 16.2; 000 3.ii;
    001 App. 2)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=60, help_text="The trigger's key in the pack.")
    rule = models.CharField(max_length=60)
    cause = models.CharField(max_length=100, help_text="What caused it, e.g. rating:123.")
    label = models.CharField(max_length=200)
    detail = models.TextField(max_length=TEXT_MAX)
    suggestion = models.CharField(max_length=300, blank=True)
    seed = models.CharField(max_length=100, blank=True)
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    opened_case = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by_label = models.CharField(max_length=200, blank=True)
    handled_note = models.TextField(max_length=TEXT_MAX, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "trigger", "cause"], name="one_alert_per_cause"
            )
        ]

    def __str__(self):
        return f"{self.label}: {self.cause}"

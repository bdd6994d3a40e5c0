"""Escalation: a council's formal handling of one location or a whole provider, moving up and
down its ladder (informal -> formal -> rectification -> final warning -> termination), the
decisions that approve moves, the safeguarding track beside it, and what a move leaves behind
(deadlines and letter requests for the timers and notices to act on)."""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_scopes import ScopedManager


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


class AppendOnly(models.Model):
    """A record of something that happened: written once, never changed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(f"A {self._meta.verbose_name} is a record: it cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"A {self._meta.verbose_name} is a record: it cannot be deleted.")


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
    summary = models.TextField(help_text="Why the case was opened.")
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


class CaseMove(AppendOnly):
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
    reason = models.TextField()
    evidence = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    recommendation = models.ForeignKey(
        "concerns.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    policy_version = models.ForeignKey(
        "councils.PolicyVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "case move"

    def __str__(self):
        return f"{self.case.reference}: {self.from_stage} -> {self.to_stage}"


class RecommendationKind(models.TextChoices):
    MOVE = "move", "Move on the ladder"
    EXCEPTION = "exception", "Exception"


class RecommendationStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Recommendation(models.Model):
    """A recommendation going through the chain the pack names, to a decision in writing
    (004 18: officer -> SRM / SM -> Head of Commissioning; 000: the DASS or the delegate;
    003: the Board). A move is applied only when the decision approves it."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=30)
    kind = models.CharField(max_length=10, choices=RecommendationKind.choices)
    key = models.CharField(max_length=60, help_text="The move or exception in the pack.")
    label = models.CharField(max_length=200)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations"
    )
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    status = models.CharField(
        max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.PENDING
    )
    step = models.PositiveSmallIntegerField(
        default=0, help_text="Checks done; the chain's length when it awaits the decision."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by_label = models.CharField(max_length=200)
    proposed_at = models.DateTimeField(auto_now_add=True)
    waiting_since = models.DateTimeField()
    reason = models.TextField()
    evidence = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    urgent = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(max_length=200, blank=True)
    decision_reasons = models.TextField(blank=True)
    stipulation = models.TextField(
        blank=True, help_text="When it should be reconsidered (004 18.2)."
    )
    policy_version = models.ForeignKey(
        "councils.PolicyVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["waiting_since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference"], name="recommendation_ref_once"
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending", kind="move"),
                name="one_pending_move_per_case",
            ),
        ]
        indexes = [models.Index(fields=["council", "status"])]

    def __str__(self):
        return f"{self.reference}: {self.label}"


class StepOutcome(models.TextChoices):
    FORWARDED = "forwarded", "Agreed and forwarded"
    DECLINED = "declined", "Not recommended"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DecisionStep(AppendOnly):
    """One person's act on a recommendation, in writing: a check in the chain or the
    decision itself (who, when, outcome, reasons, any stipulation, urgent or virtual)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200, help_text="The step as the pack names it.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=200)
    acting_as = models.CharField(
        max_length=300, blank=True, help_text="E.g. delegate of the DASS, with the dates."
    )
    at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=StepOutcome.choices)
    reasons = models.TextField()
    stipulation = models.TextField(blank=True)
    urgent = models.BooleanField(default=False)
    virtual = models.BooleanField(
        default=False, help_text="Taken outside a scheduled meeting (003 ToR 5)."
    )
    meeting_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "decision step"

    def __str__(self):
        return f"{self.recommendation.reference} step {self.position}: {self.outcome}"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "Running"
    ENDED = "ended", "Ended with the stage"
    MET = "met", "Met"


class CaseDeadline(models.Model):
    """A time limit a move started (003: 6 months under a Final Warning; 000 4.v: 6 months'
    monitoring). Kept as a due date for the timers to watch."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    move = models.ForeignKey(CaseMove, on_delete=models.PROTECT, related_name="+")
    time_limit = models.CharField(max_length=60)
    label = models.CharField(max_length=300)
    seed = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    starts_on = models.DateField()
    due_on = models.DateField(db_index=True)
    ends_with_stage = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.label} due {self.due_on:%d %b %Y}"


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
        Recommendation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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
    reason = models.TextField()
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
    closed_reason = models.TextField(blank=True)

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
    attendees = models.TextField()
    notes = models.TextField()
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
    detail = models.TextField()
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
    handled_note = models.TextField(blank=True)

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

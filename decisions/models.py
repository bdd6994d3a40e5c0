"""Recommendations and decisions, for any subject: a recommendation goes through the checks its
council's pack names to a decision in writing (004 18: officer -> SRM -> SM -> Head of
Commissioning; 000 4: the DASS or the delegate; 003: the Board). What it is about is a subject
of a registered kind (a case move, a Bromley exception; next a restriction, an appeal)."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.limits import TEXT_MAX
from core.records import AppendOnlyModel, append_only_manager


class Status(models.TextChoices):
    PENDING = "pending", "Waiting"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class StepOutcome(models.TextChoices):
    FORWARDED = "forwarded", "Agreed and forwarded"
    DECLINED = "declined", "Not recommended"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Recommendation(models.Model):
    """A recommendation waiting in, or decided at the end of, its chain. It is judged by the
    policy version it was made under. The step it waits for is kept on the row (`awaiting_*`,
    from the chain, at every step) so that each person's inbox is one query."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=30)
    kind = models.CharField(max_length=60, help_text="The subject kind, e.g. concerns.move.")
    key = models.CharField(
        max_length=60, help_text="What the pack calls it (a move, an exception)."
    )
    label = models.CharField(max_length=200)
    subject_type = models.CharField(max_length=100, help_text="What it is about, e.g. a case.")
    subject_id = models.CharField(max_length=64)
    subject_state = models.CharField(
        max_length=60, blank=True, help_text="The subject's state when proposed (a case's stage)."
    )
    proposal = models.JSONField(
        default=dict, blank=True, help_text="What the kind needs to carry it out once approved."
    )
    exclusive = models.CharField(
        max_length=120, blank=True, help_text="One pending at a time per value (a case's moves)."
    )
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    step = models.PositiveSmallIntegerField(
        default=0, help_text="Checks done; the chain's length when it awaits the decision."
    )
    someone_else = models.BooleanField(
        default=True, help_text="No one acts twice on it, the proposer included."
    )
    awaiting_role = models.CharField(max_length=30, blank=True, help_text="Role of the next check.")
    awaiting_post = models.CharField(
        max_length=200, blank=True, help_text="Post of the next check, or the decider's title."
    )
    awaiting_decider = models.CharField(
        max_length=20, blank=True, help_text="The decider's kind (person, board) at the decision."
    )
    awaiting_label = models.CharField(max_length=250, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by_label = models.CharField(max_length=200)
    proposed_at = models.DateTimeField(auto_now_add=True)
    waiting_since = models.DateTimeField()
    reason = models.TextField(max_length=TEXT_MAX)
    evidence = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    urgent = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When it was recorded.")
    decided_on = models.DateField(
        null=True, blank=True, help_text="The day it was decided; time limits count from it."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(max_length=200, blank=True)
    decision_reasons = models.TextField(max_length=TEXT_MAX, blank=True)
    stipulation = models.TextField(
        max_length=TEXT_MAX, blank=True, help_text="When it should be reconsidered (004 18.2)."
    )
    decision_details = models.JSONField(
        default=dict, blank=True, help_text="The decider's answers (004 18.4: the scope)."
    )
    policy_version = models.ForeignKey(
        "councils.PolicyVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["waiting_since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference"], name="decisions_recommendation_ref_once"
            ),
            models.UniqueConstraint(
                fields=["council", "exclusive"],
                condition=models.Q(status="pending") & ~models.Q(exclusive=""),
                name="decisions_one_pending_per_exclusive",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "status", "waiting_since"]),
            models.Index(fields=["council", "subject_type", "subject_id"]),
        ]

    def __str__(self):
        return f"{self.reference}: {self.label}"

    @property
    def is_pending(self) -> bool:
        return self.status == Status.PENDING


class DecisionStep(AppendOnlyModel):
    """One person's act on a recommendation, in writing: a check in the chain or the decision
    itself (who, when, outcome, reasons, any stipulation, urgent or virtual)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=250, help_text="The step as the pack names it.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=200)
    acting_as = models.CharField(
        max_length=300, blank=True, help_text="E.g. delegate of the DASS, with the dates."
    )
    at = models.DateTimeField(auto_now_add=True)
    taken_on = models.DateField(help_text="The day the step was taken.")
    outcome = models.CharField(max_length=10, choices=StepOutcome.choices)
    reasons = models.TextField(max_length=TEXT_MAX)
    stipulation = models.TextField(max_length=TEXT_MAX, blank=True)
    urgent = models.BooleanField(default=False)
    virtual = models.BooleanField(
        default=False, help_text="Taken outside a scheduled meeting (003 ToR 5)."
    )
    meeting_on = models.DateField(null=True, blank=True)
    meeting_ref = models.CharField(
        max_length=30, blank=True, help_text="The board meeting that decided (its reference)."
    )
    board_record = models.JSONField(
        default=dict,
        blank=True,
        help_text="Who was present, counted, declared an interest or had a part in the case.",
    )

    objects = append_only_manager(council="council")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "decision step"

    def __str__(self):
        return f"{self.recommendation.reference} step {self.position}: {self.outcome}"


def evidence_path(instance, filename):
    return f"evidence/{instance.council_id}/{instance.sha256[:2]}/{instance.sha256}"


class EvidenceFile(models.Model):
    """A file given as evidence (a CQC report, the QIM's notes, a letter), beside a note or
    a link (issue 13). Kept under its content's hash, never changed; the evidence item that
    names it keeps its id."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

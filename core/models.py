"""Cross-cutting records: the append-only audit log and the timers (every time limit)."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.records import AppendOnlyModel, append_only_manager


class AuditEntry(AppendOnlyModel):
    council = models.ForeignKey(
        "councils.Council", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Who, as shown: a person or a token.")
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=500)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    policy_version = models.ForeignKey(
        "councils.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = append_only_manager(council="council")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["council", "object_type", "object_id"])]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"


class AuditSeal(AppendOnlyModel):
    """The audit log's hash chain (issue 11): each entry, once settled, is sealed in turn with
    the SHA-256 of its content and of the seal before it, so that an entry changed or removed
    afterwards, even by someone with the database's keys, breaks the chain
    (`manage.py audit_verify`). Sealing is a periodic task's, one at a time, so that writing
    the log never waits for the chain."""

    position = models.PositiveBigIntegerField(unique=True)
    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="seal")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    objects = append_only_manager()

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"seal {self.position}: {self.hash[:12]}"


class TimerStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FIRED = "fired", "Due date passed"
    MET = "met", "Met"
    ENDED = "ended", "Ended"


OPEN_TIMER_STATUSES = (TimerStatus.RUNNING, TimerStatus.FIRED)


class TimerStage(models.TextChoices):
    """Where a running timer is on its way to its limit (the sweep moves it on and tells its
    owner at each step)."""

    WAITING = "waiting", "Running"
    WARNED = "warned", "Due soon"
    DUE = "due", "Due today"


class Timer(models.Model):
    """A time limit kept as a row: what it is for, the object it watches, who owns it, when it
    falls due. `core.tasks.timers_sweep` fires due ones (each kind's handler acts; a plain
    deadline becomes overdue). A timer is met by the event that satisfies it (the letter
    issued, the review held), never by hand, and ends when what it belonged to ends (the
    stage left). Never a countdown task months ahead: a row survives restarts and deploys,
    and firing is idempotent because a fired timer is marked in the same transaction as its
    effect."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=100, help_text="What it is for, e.g. concerns.deadline.")
    label = models.CharField(max_length=300, blank=True, help_text="What it is for, in words.")
    seed = models.CharField(max_length=100, blank=True, help_text="Where the limit comes from.")
    subject_type = models.CharField(max_length=100, help_text="The object it watches.")
    subject_id = models.CharField(max_length=64)
    cause = models.CharField(
        max_length=100, blank=True, help_text="What started it, e.g. move:12 (once per cause)."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(null=True, blank=True, help_text="The day the limit counts from.")
    due_on = models.DateField(null=True, blank=True, help_text="The limit, as people read it.")
    due_at = models.DateTimeField(db_index=True, help_text="When the sweep acts on it.")
    warn_on = models.DateField(
        null=True, blank=True, help_text="When its owner is warned (how long before: the pack)."
    )
    status = models.CharField(
        max_length=10, choices=TimerStatus.choices, default=TimerStatus.RUNNING
    )
    stage = models.CharField(max_length=10, choices=TimerStage.choices, default=TimerStage.WAITING)
    next_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep next looks at it (warn, due, limit)."
    )
    overdue = models.BooleanField(
        default=False, help_text="A deadline whose limit passed before it was met."
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it was met or ended.")
    outcome = models.CharField(max_length=500, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "kind", "subject_type", "subject_id", "cause"],
                condition=models.Q(status="running"),
                name="one_running_timer_per_cause",
            )
        ]
        indexes = [
            models.Index(fields=["council", "subject_type", "subject_id"]),
            models.Index(fields=["status", "next_at"], name="timer_sweep"),
            models.Index(fields=["council", "status", "owner"], name="timer_owner"),
        ]

    def __str__(self):
        return f"{self.label or self.kind} for {self.subject_type} {self.subject_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TIMER_STATUSES

    @property
    def state_label(self) -> str:
        """As people read it: Running, Due soon, Due today, Overdue, Due date passed, Met,
        Ended."""
        if self.status == TimerStatus.RUNNING:
            return self.get_stage_display()
        if self.status == TimerStatus.FIRED and self.overdue:
            return "Overdue"
        return self.get_status_display()

    @property
    def state_colour(self) -> str:
        return {
            "Due soon": "yellow",
            "Due today": "orange",
            "Overdue": "red",
            "Met": "green",
            "Ended": "grey",
            "Due date passed": "grey",
        }.get(self.state_label, "blue")


class NotificationKind(models.TextChoices):
    TIMER_WARNING = "timer_warning", "Due soon"
    TIMER_DUE = "timer_due", "Due today"
    TIMER_OVERDUE = "timer_overdue", "Overdue"
    TEAM_OVERDUE = "team_overdue", "Overdue in your team"
    WAITING = "waiting", "Waiting for you"


class Notification(models.Model):
    """Something a person is told (on their start page and, as they choose, by email at once
    or in a daily digest). `key` makes telling idempotent: the same thing is told once however
    often the sweep or a redelivered task runs. The title names providers and cases, never a
    person in care (it goes into emails)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200, help_text="What it tells of, once per person.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_person")
        ]
        indexes = [models.Index(fields=["council", "user", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.user}: {self.title}"

"""Cross-cutting records: the append-only audit log and the timers."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class AuditQuerySet(models.QuerySet):
    """Append-only: code cannot edit or delete entries (PostgreSQL also refuses by trigger)."""

    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
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

    objects = ScopedManager(
        council="council", _manager_class=models.Manager.from_queryset(AuditQuerySet)
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["council", "object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class Timer(models.Model):
    """A time limit kept as a row with a due time; `core.tasks.timers_sweep` fires due ones.

    Never a countdown task months ahead: a row survives restarts and deploys, and firing is
    idempotent because a fired timer is marked in the same transaction as its effect.
    """

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=100)
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    due_at = models.DateTimeField(db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "kind", "subject_type", "subject_id"],
                condition=models.Q(fired_at__isnull=True, cancelled_at__isnull=True),
                name="one_pending_timer_per_cause",
            )
        ]

    def __str__(self):
        return f"{self.kind} for {self.subject_type} {self.subject_id} due {self.due_at:%Y-%m-%d}"

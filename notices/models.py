"""Letters: written from the requests moves and decisions leave (`core.letters`), previewed,
issued by a person, sent, and their receipt confirmed. What was issued is an `IssuedLetter`,
append-only (code, API and a PostgreSQL trigger refuse to change it): its PDF, the PDF's
SHA-256 and the data it was made from. A correction is a new version naming the one it
replaces."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.records import AppendOnlyModel, append_only_manager


class LetterStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be written"
    DRAFT = "draft", "Ready to preview and issue"
    PROBLEM = "problem", "Cannot be written"
    ISSUED = "issued", "Issued"
    REPLACED = "replaced", "Replaced by a correction"
    CANCELLED = "cancelled", "Not sent"


OPEN_STATUSES = (LetterStatus.WAITING, LetterStatus.DRAFT, LetterStatus.PROBLEM)


class Letter(models.Model):
    """One letter: its draft (addressee, who to ask for, who signs, copies, enclosures, the
    facts from its request), then its issue. Drafts change; the issue never does."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60, help_text="The pack's letter key.")
    title = models.CharField(max_length=200)
    seed = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=60, help_text="The LetterSource that asked for it.")
    source_id = models.PositiveBigIntegerField()
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    location = models.ForeignKey(
        "providers.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    case_reference = models.CharField(max_length=30, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    status = models.CharField(
        max_length=10, choices=LetterStatus.choices, default=LetterStatus.WAITING
    )
    reference = models.CharField(max_length=60, blank=True)
    dated = models.DateField(null=True, blank=True, help_text="The date the letter bears.")
    addressee_name = models.CharField(max_length=200, blank=True)
    addressee_role = models.CharField(max_length=200, blank=True)
    addressee_organisation = models.CharField(max_length=300, blank=True)
    address = models.TextField(blank=True, max_length=600, help_text="One line per line.")
    email = models.EmailField(blank=True)
    please_ask_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(
        blank=True, max_length=4000, help_text="A paragraph the officer adds, if any."
    )
    facts = models.JSONField(default=dict, blank=True, help_text="What its request says.")
    problem = models.CharField(max_length=500, blank=True)
    requested_on = models.DateField(null=True, blank=True)
    written_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by_label = models.CharField(max_length=200, blank=True)
    sent_by_post_on = models.DateField(null=True, blank=True)
    receipt_confirmed_on = models.DateField(null=True, blank=True)
    receipt_how = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "source", "source_id"],
                condition=models.Q(replaces__isnull=True),
                name="one_letter_per_request",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "status"], name="letter_status"),
            models.Index(fields=["council", "location"], name="letter_location"),
            models.Index(fields=["council", "case_id"], name="letter_case"),
        ]

    def __str__(self):
        return f"{self.title} ({self.reference or self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class IssuedLetter(AppendOnlyModel):
    """A letter as issued: never changed by code, API or SQL (a trigger on PostgreSQL)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, related_name="issue")
    reference = models.CharField(max_length=60)
    version = models.PositiveSmallIntegerField()
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    dated = models.DateField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    data = models.JSONField(help_text="Everything the letter was made from.")
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by_label = models.CharField(max_length=200)

    objects = append_only_manager(council="council")

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.title} {self.reference} (version {self.version})"

    @property
    def filename(self) -> str:
        stem = "".join(c if c.isalnum() else "-" for c in f"{self.title} {self.reference}")
        return f"{stem.strip('-')}.pdf"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed: will be tried again"
    BOUNCED = "bounced", "Bounced: not delivered"
    GAVE_UP = "gave_up", "Not delivered: send it another way"


class Delivery(models.Model):
    """Sending an issued letter by email (with its PDF) or by post. A failed email keeps
    the letter issued and is tried again with backoff; a bounce is recorded."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=[("email", "Email"), ("post", "Post")])
    to = models.CharField(max_length=600)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recorded_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="delivery_retry")]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.to}: {self.get_status_display()}"


class Subscription(models.Model):
    """Another council system (Mosaic, CareDirector, Liquidlogic) told of events by webhook:
    an HTTPS address (plain HTTP only to this machine, for tests), the event types it wants,
    and the secret each delivery is signed with (HMAC-SHA256)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, help_text="Which system, in words.")
    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list)
    secret = models.CharField(max_length=64, help_text="Shared with the receiver to verify.")
    is_active = models.BooleanField(default=True)
    created_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.url})"


class HookStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed: will be tried again"
    GAVE_UP = "gave_up", "Not delivered after a day of tries"


class HookDelivery(models.Model):
    """One event for one subscription: sent at least once (tried again with backoff for a
    day), with its id so the receiver can drop repeats, and logged (status, attempts, the
    last answer)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(help_text="The event's id: the same on every try.")
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=HookStatus.choices, default=HookStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_answer = models.CharField(max_length=500, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="hook_event_once_per_subscription"
            )
        ]
        indexes = [models.Index(fields=["status", "next_try_at"], name="hook_retry")]

    def __str__(self):
        return f"{self.event_type} to {self.subscription}: {self.get_status_display()}"

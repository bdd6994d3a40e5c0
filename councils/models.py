"""Councils are the tenants. A person signs in once and may hold roles in several councils."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django_scopes import ScopedManager


class NotifyBy(models.TextChoices):
    EACH = "each", "An email for each thing, as it happens"
    DAILY = "daily", "One email a day, listing everything"
    NEVER = "never", "No emails: I will look at my start page"


class User(AbstractUser):
    """A person. Roles are per council (Membership), never global."""

    notify_by = models.CharField(
        max_length=10,
        choices=NotifyBy.choices,
        default=NotifyBy.EACH,
        help_text="How this person is emailed what waits for them.",
    )
    sso_subject = models.CharField(
        max_length=255,
        blank=True,
        help_text="The council's identity provider's id for this person, bound at their first "
        "single sign-on.",
    )
    keeps_register = models.BooleanField(
        default=False,
        help_text="Keeps the national register (no council's role): brings in CQC's files and "
        "watches the sync with CQC.",
    )

    def __str__(self):
        return self.get_full_name() or self.username


class Council(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=40, unique=True, help_text="Short code, e.g. bromley.")
    short_name = models.CharField(max_length=80, blank=True)
    is_active = models.BooleanField(default=True)
    active_policy = models.ForeignKey(
        "councils.PolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The policy version in force; everything decided records it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


class Area(models.Model):
    """A council's own area, as its policy pack names them (003 memo groups by area)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["council", "code"], name="area_code_once")]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    MANAGER = "manager", "Manager"
    DECISION_MAKER = "decision_maker", "Decision maker"
    BOARD_MEMBER = "board_member", "Board member"
    PLACEMENT = "placement_staff", "Placement staff"
    AUDITOR = "auditor", "Read-only auditor"
    COUNCIL_ADMIN = "council_admin", "Council admin"
    # A partner organisation's member of a board (CCG/ICB, police, CQC, Healthwatch): sees
    # the papers of the boards they sit on and nothing else of the council (issue 12).
    EXTERNAL = "external_member", "External board member"


class Membership(models.Model):
    """One role a person holds in one council; several rows for several roles."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="For decision makers, the title the policy names, e.g. Head of Commissioning.",
    )
    is_active = models.BooleanField(default=True)
    reports_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Their manager here: told when a time limit they own is overdue.",
    )

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["council__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "council", "role"], name="one_role_once")
        ]

    def __str__(self):
        label = self.title or self.get_role_display()
        return f"{self.user} – {label} ({self.council})"


class Delegation(models.Model):
    """A decision maker names a delegate for a date range (000: the Head of Assessment & Care
    Management stands in for the DASS; 004 21.3: the Head of Adult Social Care for the Head of
    Commissioning)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="delegations")
    delegator = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="delegations")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_received"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_dates"
            )
        ]

    def __str__(self):
        return f"{self.delegate} for {self.delegator.title or self.delegator.user}"

    def covers(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on


class PolicyVersion(models.Model):
    """One immutable version of a council's policy pack, as loaded."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="policy_versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    source_text = models.TextField()
    source_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["council", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["council", "number"], name="policy_number_once")
        ]

    def __str__(self):
        return f"{self.council} policy v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("A policy version is immutable: load a new version instead.")
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A key another council system uses; it belongs to one council and carries scopes.
    Only a hash of the key is kept."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.council})"

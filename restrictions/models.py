"""Restrictions on new placements with a provider: proposed, decided through the decision
chain, in place, reviewed, changed and lifted (004 13-20; 003 2.5-2.6; 000 3-8; 001 App. 3),
each shown in the council's own words; appeals against them (004 19.2); who must be told
(004 19.1-19.5); what a council shares with others (004 7.4-7.8, 19.3); the placement checks
made and the changes feed other systems follow; and the dated issues of each list (003
Managed Placements Memo; 004 Providers with Restrictions List)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_scopes import ScopedManager

from core.limits import TEXT_MAX
from core.records import AppendOnlyModel, append_only_manager


class Level(models.TextChoices):
    """The canonical levels; each council's pack names them in its own words and colours."""

    NONE = "none", "No restriction"
    CAUTION = "caution", "Place with caution"
    SUSPENDED = "suspended", "New placements suspended"
    TERMINATED = "terminated", "No longer commissioned"


LEVEL_ORDER = [lv.value for lv in Level]


class Status(models.TextChoices):
    SUGGESTED = "suggested", "Suggested by a rule"
    PROPOSED = "proposed", "Waiting for a decision"
    NOT_APPROVED = "not_approved", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ACTIVE = "active", "In place"
    LIFTED = "lifted", "Lifted"


OPEN_STATUSES = (Status.SUGGESTED, Status.PROPOSED, Status.ACTIVE)


class Restriction(ConcurrentTransitionMixin, models.Model):
    """One council's restriction on placements with one location, or with all of a
    provider's services in the council (004 18.4: the decision maker chooses). One open
    restriction per council and location (or whole provider) at a time; its level changes
    through the chain, and its history is in `RestrictionEvent`."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=30)
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        "providers.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when it covers all of the provider's services (004 18.4).",
    )
    level = models.CharField(max_length=12, choices=Level.choices)
    status = FSMField(default=Status.PROPOSED, choices=Status.choices, protected=True)
    reasons = models.TextField(max_length=TEXT_MAX)
    evidence = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Answers the pack asks for.")
    exceptions = models.TextField(
        max_length=TEXT_MAX,
        blank=True,
        help_text="Exceptions considered (004 13.2: increases to existing packages).",
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    review_on = models.DateField(null=True, blank=True)
    hold_until = models.DateField(
        null=True, blank=True, help_text="Not lifted before this day (003 2.5)."
    )
    case = models.ForeignKey(
        "concerns.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    alert = models.ForeignKey(
        "concerns.Alert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The automatic rule that suggested it (004 16.2, 16.3).",
    )
    origin = models.CharField(max_length=200, blank=True, help_text="What suggested it.")
    recommendation = models.ForeignKey(
        "decisions.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The recommendation that put it in place (or waits to).",
    )
    decided_on = models.DateField(null=True, blank=True)
    decided_by_label = models.CharField(max_length=300, blank=True)
    level_since = models.DateField(null=True, blank=True, help_text="Since when at this level.")
    ended_on = models.DateField(null=True, blank=True)
    shared = models.BooleanField(default=False, help_text="Shown to other councils.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_label = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)
    policy_version = models.ForeignKey(
        "councils.PolicyVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference"], name="restriction_reference_once"
            ),
            models.UniqueConstraint(
                fields=["council", "location"],
                condition=models.Q(status__in=["proposed", "active"])
                & models.Q(location__isnull=False),
                name="one_restriction_per_location",
            ),
            models.UniqueConstraint(
                fields=["council", "provider"],
                condition=models.Q(status__in=["proposed", "active"])
                & models.Q(location__isnull=True),
                name="one_restriction_per_whole_provider",
            ),
            models.UniqueConstraint(
                fields=["council", "alert"],
                condition=models.Q(alert__isnull=False),
                name="one_restriction_per_alert",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "status", "location"]),
            models.Index(fields=["council", "status", "provider"]),
        ]

    def __str__(self):
        return f"{self.reference}: {self.subject_label}"

    @property
    def subject_label(self) -> str:
        if self.location_id:
            return str(self.location)
        return f"{self.provider} (all services)"

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    # Transition methods only change the state; services do the rest.
    @transition(field=status, source=Status.SUGGESTED, target=Status.PROPOSED)
    def propose(self):
        pass

    @transition(field=status, source=[Status.SUGGESTED, Status.PROPOSED], target=Status.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=status, source=Status.PROPOSED, target=Status.NOT_APPROVED)
    def refuse(self):
        pass

    @transition(field=status, source=[Status.SUGGESTED, Status.PROPOSED], target=Status.ACTIVE)
    def activate(self):
        pass

    @transition(field=status, source=Status.ACTIVE, target=Status.LIFTED)
    def lift(self):
        pass


class EventKind(models.TextChoices):
    SUGGESTED = "suggested", "Suggested by a rule"
    PROPOSED = "proposed", "Proposed"
    NOT_APPROVED = "not_approved", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"
    IMPOSED = "imposed", "Put in place"
    CHANGED = "changed", "Level changed"
    REVIEWED = "reviewed", "Reviewed"
    HELD = "held", "Held after compliance"
    LIFTED = "lifted", "Lifted"
    APPEALED = "appealed", "Appeal received"
    APPEAL_DECIDED = "appeal_decided", "Appeal decided"


class RestrictionEvent(AppendOnlyModel):
    """What happened to a restriction, in writing: who, when (the day it took effect), from
    which level to which, why, and the decision behind it."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    restriction = models.ForeignKey(Restriction, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    on = models.DateField(help_text="The day it took effect.")
    at = models.DateTimeField(auto_now_add=True)
    from_level = models.CharField(max_length=12, choices=Level.choices, blank=True)
    to_level = models.CharField(max_length=12, choices=Level.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=300)
    reason = models.TextField(max_length=TEXT_MAX, blank=True)
    recommendation = models.ForeignKey(
        "decisions.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = append_only_manager(council="council")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.restriction.reference}: {self.get_kind_display()}"


class Share(models.Model):
    """A restriction shown to another council (`council`, the one that sees it): on its
    placement check, its location pages, its feed and its intelligence (004 7.4-7.8; 001
    App. 3). Ended when the restriction is lifted or stops being shared; never deleted."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    restriction = models.ForeignKey(Restriction, on_delete=models.CASCADE, related_name="shares")
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(council="council")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "restriction"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_share",
            )
        ]
        indexes = [models.Index(fields=["council", "ended_at"])]

    def __str__(self):
        return f"{self.restriction} shown to {self.council}"


class AppealStatus(models.TextChoices):
    LODGED = "lodged", "Waiting for a decision"
    UPHELD = "upheld", "Upheld: the decision was overturned"
    DISMISSED = "dismissed", "Dismissed: the decision stands"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Appeal(models.Model):
    """The provider's appeal against a decision, in writing with reasons and evidence,
    within the pack's window from the decision letter; decided by the post the pack names
    within its limit (004 19.2: 5 working days; the Service Director within 21 days)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=30)
    restriction = models.ForeignKey(Restriction, on_delete=models.PROTECT, related_name="appeals")
    letter_on = models.DateField(help_text="The day the decision letter was sent.")
    received_on = models.DateField()
    grounds = models.TextField(max_length=TEXT_MAX)
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=AppealStatus.choices, default=AppealStatus.LODGED
    )
    due_on = models.DateField(help_text="The day it must be decided by.")
    recommendation = models.ForeignKey(
        "decisions.Recommendation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    outcome = models.TextField(max_length=TEXT_MAX, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    recorded_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="appeal_reference_once"),
            models.UniqueConstraint(
                fields=["restriction"],
                condition=models.Q(status="lodged"),
                name="one_lodged_appeal_per_restriction",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: appeal against {self.restriction.reference}"


class NoticeStatus(models.TextChoices):
    REQUESTED = "requested", "To be sent"
    SENT = "sent", "Sent"


class Notice(models.Model):
    """Someone the council must tell of a decision (004 19.1 the provider, with reasons and
    the right of appeal; 19.3 staff; 19.4 other agencies with commissioning arrangements;
    19.5 the same when lifted; 001 App. 3 other placing authorities and CQC). A request for
    the letters issue to write and send; recorded as sent with the day and how."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    restriction = models.ForeignKey(Restriction, on_delete=models.CASCADE, related_name="notices")
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    event = models.ForeignKey(
        RestrictionEvent, on_delete=models.PROTECT, related_name="notices", null=True
    )
    when = models.CharField(max_length=20, help_text="imposed, changed, lifted, appeal_decided")
    audience = models.CharField(max_length=20)
    label = models.CharField(max_length=300)
    letter = models.CharField(max_length=60, blank=True)
    seed = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.REQUESTED
    )
    due_on = models.DateField(null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    sent_how = models.CharField(max_length=300, blank=True)
    sent_by_label = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self):
        return f"{self.label} ({self.get_status_display()})"


class PlacementCheck(AppendOnlyModel):
    """A placement check made: who, when, what was asked and what was shown (every check is
    logged, so a council can show what its staff were told on a day)."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True, help_text="When it was asked.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    via = models.CharField(max_length=10, help_text="page, api or bulk")
    query = models.CharField(max_length=200)
    found = models.PositiveIntegerField(default=0)
    shown = models.JSONField(default=list, help_text="[[location id, level, shared levels]].")

    objects = append_only_manager(council="council")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.actor_label} checked “{self.query}”"


class FeedEntry(AppendOnlyModel):
    """One change of a location's placement status as one council sees it (its own
    restrictions and those others share with it): the changes feed other systems follow by
    cursor (`id`), written once per council that sees the change."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    by_council = models.ForeignKey(
        "councils.Council", on_delete=models.PROTECT, related_name="+", help_text="Whose."
    )
    restriction = models.ForeignKey(
        Restriction, on_delete=models.PROTECT, null=True, related_name="+"
    )
    level = models.CharField(max_length=12, choices=Level.choices)
    label = models.CharField(max_length=200)
    since = models.DateField(null=True, blank=True)

    objects = append_only_manager(council="council")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["council", "id"])]

    def __str__(self):
        return f"{self.location_id}: {self.label}"


class ListIssue(AppendOnlyModel):
    """One dated issue of a list, kept as it was issued: the entries by section (and area),
    the restrictions removed since the previous issue (003 memo: GREEN), who it went to."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    list_key = models.CharField(max_length=60)
    number = models.PositiveIntegerField()
    reference = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_on = models.DateField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by_label = models.CharField(max_length=200)
    content = models.JSONField(help_text="The issue as issued: marking, sections and entries.")
    keys = models.JSONField(default=list, help_text="Restriction references listed.")
    recipients = models.JSONField(default=list, help_text="Whom it was circulated to.")
    policy_version = models.ForeignKey(
        "councils.PolicyVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = append_only_manager(council="council")

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "list_key", "number"], name="list_issue_number_once"
            ),
            models.UniqueConstraint(fields=["council", "reference"], name="list_issue_ref_once"),
        ]

    def __str__(self):
        return f"{self.title} no. {self.number}"

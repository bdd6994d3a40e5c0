"""A council's boards and meetings (issue 12): the members of each board by post, its meetings
(scheduled or urgent, virtual when urgent), who attended (and who declared an interest), the
agenda, and the record it keeps. What the pack says of a board (its posts, quorum rule, papers,
attendance expected) is read from the pack; these rows are what happened."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.limits import TEXT_MAX


class Member(models.Model):
    """A person on a board in one or more of its posts: a council officer with an account, or
    an external partner (CCG/ICB, police, CQC, Healthwatch) who may have one."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    board = models.CharField(max_length=60, help_text="The board's key in the pack.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    posts = models.JSONField(default=list, help_text="The pack's post keys this member holds.")
    chair = models.BooleanField(default=False)
    vice_chair = models.BooleanField(default=False)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["board", "name", "id"]
        indexes = [models.Index(fields=["council", "board"])]

    def __str__(self):
        return self.name


class MeetingKind(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    URGENT = "urgent", "Urgent"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    board = models.CharField(max_length=60, help_text="The board's key in the pack.")
    reference = models.CharField(max_length=30)
    kind = models.CharField(
        max_length=10, choices=MeetingKind.choices, default=MeetingKind.SCHEDULED
    )
    virtual = models.BooleanField(
        default=False, help_text="Held virtually, by email or teleconference (urgent only)."
    )
    meets_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The provider a meeting about one provider is about (a QIM, Serious Concerns).",
    )
    location = models.ForeignKey(
        "providers.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    called_by = models.CharField(
        max_length=300, blank=True, help_text="Who called it, for a meeting the pack says who may."
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="The meeting this one follows up (001 Appendix 3: the follow-up conference).",
    )
    papers_issued_on = models.DateField(null=True, blank=True)
    quorate = models.BooleanField(
        null=True, help_text="Computed from attendance by the pack's rule when it is recorded."
    )
    quorum_reasons = models.JSONField(default=list, blank=True)
    approved_at = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_records",
        help_text="The later meeting that approved this one's minutes or notes.",
    )
    reported_on = models.DateField(
        null=True, blank=True, help_text="Reported to the body the pack names (001 App. 3: SAB)."
    )
    provider_letter_requested_at = models.DateTimeField(null=True, blank=True)
    provider_letter = models.CharField(
        max_length=60, blank=True, help_text="The letter that sent the provider its part."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["-meets_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="meeting_reference_once")
        ]
        indexes = [models.Index(fields=["council", "board", "meets_on"])]

    def __str__(self):
        return f"{self.reference} ({self.meets_on:%d %b %Y})"

    @property
    def record(self) -> str:
        """Minutes, or notes for a meeting that was not quorate (003 Appendix 4 ToR 5)."""
        return "notes" if self.quorate is False else "minutes"


class Attendance(models.Model):
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    present = models.BooleanField(default=True)
    apologies = models.BooleanField(default=False)
    declared_interest = models.CharField(
        max_length=500,
        blank=True,
        help_text="An interest the member declared: recorded, and not counted towards a decision.",
    )
    response = models.CharField(
        max_length=500,
        blank=True,
        help_text="At an urgent virtual meeting, the member's response (003 Appendix 4 ToR 5).",
    )

    objects = ScopedManager(council="council")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]

    def __str__(self):
        return f"{self.member} at {self.meeting}"


class AgendaItem(models.Model):
    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    standing = models.BooleanField(default=False, help_text="From the pack's standing agenda.")
    recommendation = models.ForeignKey(
        "decisions.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="What was referred to the board for it to decide.",
    )
    discussion = models.TextField(max_length=TEXT_MAX, blank=True)
    outcome = models.TextField(
        max_length=TEXT_MAX, blank=True, help_text="What the meeting agreed on the item."
    )
    for_provider = models.BooleanField(
        default=False, help_text="Part of the notes sent to the provider (003 Appendix 1 Table 3)."
    )

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


class Action(models.Model):
    """An action a meeting agreed: what, who does it, who in the council monitors it, by when
    (003 Appendix 1 Table 3; 001 Appendix 3's action plan). Tracked as a timer owned by the
    person who does it, or who monitors it when that is someone outside the council."""

    council = models.ForeignKey("councils.Council", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    what = models.TextField(max_length=2000)
    action_by = models.CharField(max_length=200, help_text="Who does it (a person, the provider).")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The council's person who sees it through: their timer.",
    )
    monitored_by = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    for_provider = models.BooleanField(default=False)
    done_on = models.DateField(null=True, blank=True)
    done_note = models.CharField(max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(council="council")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["council", "owner", "done_on"])]

    def __str__(self):
        return self.what[:80]

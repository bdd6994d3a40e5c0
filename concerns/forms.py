"""Forms for escalation pages, several built from the council's pack (a move's evidence and
questions, an exception's form)."""

from django import forms

from concerns.pack import Ladder, Move
from core.forms import DateField, GovukFormMixin
from core.limits import TEXT_MAX
from councils.models import Role, User
from decisions.forms import DetailsMixin, EvidenceMixin
from decisions.questions import Field


def _officers(council):
    return (
        User.objects.filter(
            memberships__council=council,
            memberships__is_active=True,
            memberships__role__in=[Role.OFFICER, Role.MANAGER],
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


class CaseOpenForm(GovukFormMixin, forms.Form):
    summary = forms.CharField(
        label="Why is the case being opened?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
        error_messages={"required": "Say why the case is being opened"},
    )
    whole_provider = forms.BooleanField(
        label="The case covers all of the provider's services in this council",
        required=False,
    )
    lead_officer = forms.ModelChoiceField(
        label="Lead officer", queryset=User.objects.none(), required=False, empty_label="Me"
    )

    def __init__(self, *args, council, ladder: Ladder, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_officer"].queryset = _officers(council)
        if not ladder.whole_provider:
            del self.fields["whole_provider"]


class MoveForm(DetailsMixin, EvidenceMixin, GovukFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=TEXT_MAX,
        label="Reason for this move",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the reason for this move"},
    )
    urgent = forms.BooleanField(label="This is urgent", required=False)

    def __init__(self, *args, ladder: Ladder, move: Move, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_evidence(ladder.evidence_kinds, move.evidence)
        self.add_questions(move.fields)
        if not move.approval:
            del self.fields["urgent"]

    def clean(self):
        cleaned = super().clean()
        self.check_evidence()
        return cleaned


class ExceptionForm(DetailsMixin, EvidenceMixin, GovukFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=TEXT_MAX,
        label="What is asked, and why",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what is asked and why"},
    )
    urgent = forms.BooleanField(label="This is urgent", required=False)

    def __init__(self, *args, ladder: Ladder, questions: tuple[Field, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.add_evidence(ladder.evidence_kinds, ())
        self.add_questions(questions)

    def clean(self):
        data = super().clean()
        self.check_evidence()
        return data


class AlertForm(GovukFormMixin, forms.Form):
    note = forms.CharField(
        max_length=TEXT_MAX,
        label="What was done, or why it is dismissed",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Add a note"},
    )


class AlertBulkForm(GovukFormMixin, forms.Form):
    """Several alerts handled at once, with one note."""

    ids = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": "Select the alerts to handle"},
    )
    note = forms.CharField(
        max_length=TEXT_MAX,
        label="What was done, or why they are dismissed",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Add a note"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service checks the ids are this council's waiting alerts.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit() and len(value) < 12


class MeetingForm(GovukFormMixin, forms.Form):
    held_on = DateField(label="Date of the meeting")
    attendees = forms.CharField(
        max_length=TEXT_MAX, label="Who attended", widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        max_length=TEXT_MAX,
        label="What the meeting considered and agreed",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    next_meeting_on = DateField(label="Next meeting (optional)", required=False)


class PlanStartForm(GovukFormMixin, forms.Form):
    """001 App. 3: "Chairs of Serious Concerns meetings must ensure that there is a Serious
    Concerns action plan in place at the earliest point"."""

    title = forms.CharField(label="What the plan is to rectify", max_length=200)
    started_on = DateField(label="Agreed on")


class AssignForm(GovukFormMixin, forms.Form):
    lead_officer = forms.ModelChoiceField(
        label="Lead officer",
        queryset=User.objects.none(),
        empty_label="Choose an officer",
        error_messages={"required": "Choose the lead officer"},
    )

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_officer"].queryset = _officers(council)
        self.fields["lead_officer"].label_from_instance = lambda u: u.get_full_name() or u.username

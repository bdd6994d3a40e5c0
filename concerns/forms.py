"""Forms for escalation pages, several built from the council's pack (a move's evidence and
questions, an exception's form)."""

from django import forms

from concerns.ladder import Field, Ladder, Move
from concerns.models import StepOutcome
from core.forms import GovukFormMixin
from councils.models import Role, User

DATE = {"type": "date"}
YES_NO = [("", "Choose"), ("yes", "Yes"), ("no", "No")]


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


def _question(f: Field) -> forms.Field:
    common = {"label": f.label, "required": f.required, "help_text": f.hint}
    if f.type == "date":
        return forms.DateField(widget=forms.DateInput(attrs=DATE), **common)
    if f.type == "boolean":
        return forms.ChoiceField(choices=YES_NO, **common)
    if f.type == "choice":
        return forms.ChoiceField(choices=[("", "Choose"), *[(c, c) for c in f.choices]], **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)


class DetailsMixin:
    """Questions from the pack become fields named `q_<key>`."""

    questions: tuple[Field, ...] = ()

    def add_questions(self, questions: tuple[Field, ...]) -> None:
        self.questions = questions
        for f in questions:
            self.fields[f"q_{f.key}"] = _question(f)
        self.style_fields([f"q_{f.key}" for f in questions])

    def question_fields(self):
        return [self[f"q_{f.key}"] for f in self.questions]

    def details(self) -> dict:
        out = {}
        for f in self.questions:
            value = self.cleaned_data.get(f"q_{f.key}")
            if value in (None, ""):
                continue
            if f.type == "boolean":
                value = value == "yes"
            elif f.type == "date":
                value = value.isoformat()
            out[f.key] = value
        return out

    def add_domain_errors(self, errors):
        mapped = {}
        for key, messages in errors.items():
            name = f"q_{key.split('.', 1)[1]}" if key.startswith("details.") else key
            mapped.setdefault(name, []).extend(messages)
        super().add_domain_errors(mapped)


class EvidenceMixin:
    """One note and one link per kind of evidence the move needs, and any other evidence."""

    kinds: tuple[str, ...] = ()

    def add_evidence(self, ladder: Ladder, required: tuple[str, ...]) -> None:
        self.kinds = required
        self.evidence_labels: dict[str, str] = {}
        for kind in required:
            label = ladder.evidence_label(kind)
            hint = ladder.evidence_kinds.get(kind, {}).get("hint", "")
            self.fields[f"ev_{kind}_note"] = forms.CharField(
                label="What it shows",
                required=False,
                help_text=hint,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"ev_{kind}_url"] = forms.URLField(
                label="Web address (optional)",
                required=False,
                assume_scheme="https",
            )
            self.evidence_labels[kind] = label
        self.fields["ev_other"] = forms.CharField(
            label="Other evidence (optional)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.style_fields([n for n in self.fields if n.startswith("ev_")])

    def check_evidence(self) -> None:
        """Each required kind needs a note or a link: say so on that kind's own field."""
        for kind in self.kinds:
            if not (
                self.cleaned_data.get(f"ev_{kind}_note") or self.cleaned_data.get(f"ev_{kind}_url")
            ):
                self.add_error(
                    f"ev_{kind}_note",
                    f"Add “{self.evidence_labels[kind]}”: say what it shows or give its address",
                )

    def evidence_pairs(self):
        return [
            (self.evidence_labels[k], self[f"ev_{k}_note"], self[f"ev_{k}_url"]) for k in self.kinds
        ]

    def evidence(self) -> list[dict]:
        items = []
        for kind in self.kinds:
            note = self.cleaned_data.get(f"ev_{kind}_note", "")
            url = self.cleaned_data.get(f"ev_{kind}_url", "")
            if note or url:
                items.append({"kind": kind, "note": note, "url": url})
        if self.cleaned_data.get("ev_other"):
            items.append({"kind": "other", "note": self.cleaned_data["ev_other"], "url": ""})
        return items

    def add_domain_errors(self, errors):
        mapped = dict(errors)
        if "evidence" in mapped and self.kinds:
            mapped[f"ev_{self.kinds[0]}_note"] = mapped.pop("evidence")
        super().add_domain_errors(mapped)


class MoveForm(DetailsMixin, EvidenceMixin, GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for this move",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the reason for this move"},
    )
    urgent = forms.BooleanField(label="This is urgent", required=False)

    def __init__(self, *args, ladder: Ladder, move: Move, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_evidence(ladder, move.evidence)
        self.add_questions(move.fields)
        if not move.approval:
            del self.fields["urgent"]

    def clean(self):
        cleaned = super().clean()
        self.check_evidence()
        return cleaned


class ExceptionForm(DetailsMixin, EvidenceMixin, GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="What is asked, and why",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what is asked and why"},
    )
    urgent = forms.BooleanField(label="This is urgent", required=False)

    def __init__(self, *args, ladder: Ladder, questions: tuple[Field, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.add_evidence(ladder, ())
        self.add_questions(questions)


class ActForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="Reasons, in writing",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the reasons"},
    )
    stipulation = forms.CharField(
        label="When should it be reconsidered? (optional)",
        help_text="Any stipulation for when a restriction or termination should be reconsidered.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgent = forms.BooleanField(label="Urgent decision", required=False)
    virtual = forms.BooleanField(
        label="Taken virtually, outside a scheduled meeting (email or teleconference)",
        required=False,
    )
    meeting_on = forms.DateField(
        label="Date of the meeting that decided", required=False, widget=forms.DateInput(DATE)
    )
    quorate = forms.BooleanField(
        label="The meeting was quorate",
        required=False,
        help_text="A meeting that was not "
        "quorate keeps notes, not minutes, and takes no decisions.",
    )

    def __init__(self, *args, deciding: bool, board: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if deciding:
            self.fields["outcome"].choices = [
                (StepOutcome.APPROVED, "Approve"),
                (StepOutcome.REJECTED, "Do not approve"),
            ]
        else:
            self.fields["outcome"].choices = [
                (StepOutcome.FORWARDED, "Agree and forward"),
                (StepOutcome.DECLINED, "Do not recommend"),
            ]
        if not board:
            for name in ("virtual", "meeting_on", "quorate"):
                del self.fields[name]
        self.fields["outcome"].widget.attrs["class"] = "govuk-radios__input"


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason"},
    )


class AlertForm(GovukFormMixin, forms.Form):
    note = forms.CharField(
        label="What was done, or why it is dismissed",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Add a note"},
    )


class MeetingForm(GovukFormMixin, forms.Form):
    held_on = forms.DateField(label="Date of the meeting", widget=forms.DateInput(DATE))
    attendees = forms.CharField(label="Who attended", widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(
        label="What the meeting considered and agreed", widget=forms.Textarea(attrs={"rows": 6})
    )
    next_meeting_on = forms.DateField(
        label="Next meeting (optional)", required=False, widget=forms.DateInput(DATE)
    )


class PlanStartForm(GovukFormMixin, forms.Form):
    """001 App. 3: "Chairs of Serious Concerns meetings must ensure that there is a Serious
    Concerns action plan in place at the earliest point"."""

    title = forms.CharField(label="What the plan is to rectify", max_length=200)
    started_on = forms.DateField(label="Agreed on", widget=forms.DateInput(DATE))

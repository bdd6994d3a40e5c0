from django import forms

from boards.models import MeetingKind
from core.forms import GovukFormMixin
from decisions.forms import DATE


class MeetingForm(GovukFormMixin, forms.Form):
    meets_on = forms.DateField(
        label="Date of the meeting",
        widget=forms.DateInput(DATE),
        error_messages={"required": "Enter the date of the meeting"},
    )
    kind = forms.ChoiceField(
        label="Kind of meeting",
        choices=MeetingKind.choices,
        initial=MeetingKind.SCHEDULED,
        widget=forms.RadioSelect,
    )
    virtual = forms.BooleanField(
        label="Held virtually (by email, video or telephone)",
        required=False,
        help_text="Only for an urgent decision, where the council's procedure allows it.",
    )


class AttendanceForm(GovukFormMixin, forms.Form):
    """One row a member: present, or sent apologies, and any interest they declared."""

    def __init__(self, *args, members=(), **kwargs):
        self.members = list(members)
        super().__init__(*args, **kwargs)
        for m in self.members:
            self.fields[f"present_{m.pk}"] = forms.BooleanField(label="Present", required=False)
            self.fields[f"apologies_{m.pk}"] = forms.BooleanField(
                label="Sent apologies", required=False
            )
            self.fields[f"interest_{m.pk}"] = forms.CharField(
                label="Interest declared", required=False, max_length=500
            )
        self.style_fields(self.fields)

    def rows(self):
        return [
            (m, self[f"present_{m.pk}"], self[f"apologies_{m.pk}"], self[f"interest_{m.pk}"])
            for m in self.members
        ]

    def values(self) -> dict:
        d = self.cleaned_data
        return {
            "present": [m.pk for m in self.members if d.get(f"present_{m.pk}")],
            "apologies": [m.pk for m in self.members if d.get(f"apologies_{m.pk}")],
            "interests": {
                m.pk: d[f"interest_{m.pk}"] for m in self.members if d.get(f"interest_{m.pk}")
            },
        }


class PapersForm(GovukFormMixin, forms.Form):
    issued_on = forms.DateField(
        label="Date the papers went to every member",
        widget=forms.DateInput(DATE),
        error_messages={"required": "Enter the date the papers went out"},
    )

from django import forms
from django.contrib.auth import get_user_model

from boards.models import MeetingKind
from core.forms import DateField, GovukFormMixin
from councils.models import Role
from providers.selectors import CQC_ID, locations_for

User = get_user_model()


def council_staff(council):
    """The council's people who may own an action: officers, managers, decision makers."""
    return (
        User.objects.filter(
            memberships__council=council,
            memberships__is_active=True,
            memberships__role__in=[Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER],
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


class MeetingForm(GovukFormMixin, forms.Form):
    meets_on = DateField(
        label="Date of the meeting",
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
    service = forms.CharField(
        label="The service the meeting is about",
        help_text="Its CQC location ID (for example 1-123456789) or its name as on the register.",
        max_length=200,
        required=False,
    )

    def __init__(self, *args, council=None, about_provider: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.council = council
        if not about_provider:
            del self.fields["service"]

    def clean_service(self):
        """The service named, among those the council sees: by CQC ID, or by a name that
        matches one service only."""
        text = self.cleaned_data.get("service", "").strip()
        if not text:
            raise forms.ValidationError("Enter the service the meeting is about")
        found = locations_for(self.council).select_related("provider")
        found = (
            found.filter(cqc_location_id=text)
            if CQC_ID.match(text)
            else found.filter(name__iexact=text)
        )
        matches = list(found[:2])
        if not matches:
            raise forms.ValidationError("No service on the register has that ID or name")
        if len(matches) > 1:
            raise forms.ValidationError("More than one service has that name: give its CQC ID")
        return matches[0]

    def values(self) -> dict:
        d = dict(self.cleaned_data)
        location = d.pop("service", None)
        if location is not None:
            d["location"] = location
        return d


class AttendanceForm(GovukFormMixin, forms.Form):
    """One row a member: present, or sent apologies, and any interest they declared."""

    def __init__(self, *args, members=(), virtual: bool = False, **kwargs):
        self.members = list(members)
        self.virtual = virtual
        super().__init__(*args, **kwargs)
        for m in self.members:
            if virtual:
                self.fields[f"response_{m.pk}"] = forms.CharField(
                    label="Response", required=False, max_length=500
                )
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
            (
                m,
                self[f"present_{m.pk}"],
                self[f"apologies_{m.pk}"],
                self[f"interest_{m.pk}"],
                self[f"response_{m.pk}"] if self.virtual else None,
            )
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
            "responses": {
                m.pk: d[f"response_{m.pk}"] for m in self.members if d.get(f"response_{m.pk}")
            },
        }


class PapersForm(GovukFormMixin, forms.Form):
    issued_on = DateField(
        label="Date the papers went to every member",
        error_messages={"required": "Enter the date the papers went out"},
    )


class RecordForm(GovukFormMixin, forms.Form):
    """The minutes (or notes): each agenda item's key discussion points and what was agreed,
    and whether it is part of what the provider is sent (003 Appendix 1 Table 3)."""

    def __init__(self, *args, items=(), provider_part: bool = False, **kwargs):
        self.items = list(items)
        self.provider_part = provider_part
        super().__init__(*args, **kwargs)
        for i in self.items:
            self.fields[f"discussion_{i.pk}"] = forms.CharField(
                label="Key discussion points",
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"outcome_{i.pk}"] = forms.CharField(
                label="Agreed",
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if provider_part:
                self.fields[f"for_provider_{i.pk}"] = forms.BooleanField(
                    label="Send to the provider", required=False
                )
        self.style_fields(self.fields)

    def rows(self):
        return [
            (
                i,
                self[f"discussion_{i.pk}"],
                self[f"outcome_{i.pk}"],
                self[f"for_provider_{i.pk}"] if self.provider_part else None,
            )
            for i in self.items
        ]

    def values(self) -> dict:
        d = self.cleaned_data
        return {
            "items": {
                i.pk: {
                    "discussion": d.get(f"discussion_{i.pk}", ""),
                    "outcome": d.get(f"outcome_{i.pk}", ""),
                    "for_provider": bool(d.get(f"for_provider_{i.pk}")),
                }
                for i in self.items
            }
        }


class ActionForm(GovukFormMixin, forms.Form):
    what = forms.CharField(
        label="What is to be done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter what is to be done"},
    )
    action_by = forms.CharField(
        label="Who does it",
        help_text="A person, a team or the provider.",
        max_length=200,
        error_messages={"required": "Enter who does it"},
    )
    owner = forms.ModelChoiceField(
        label="The council's person who sees it through",
        help_text="They are reminded before the date, and told if it passes.",
        queryset=User.objects.none(),
        required=False,
        empty_label="Me",
    )
    monitored_by = forms.CharField(
        label="Who in the council monitors it", max_length=200, required=False
    )
    due_on = DateField(
        label="By when",
        error_messages={"required": "Enter the date it is to be done by"},
    )
    item = forms.TypedChoiceField(label="Agenda item", coerce=int, required=False, empty_value=None)
    for_provider = forms.BooleanField(label="Send to the provider", required=False)

    def __init__(self, *args, council, items=(), provider_part: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = council_staff(council)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["item"].choices = [("", "The meeting as a whole")] + [
            (i.pk, f"{i.position}. {i.title}") for i in items
        ]
        if not provider_part:
            del self.fields["for_provider"]


class ActionDoneForm(GovukFormMixin, forms.Form):
    action_id = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="What was done", max_length=1000, required=False)


class ApproveForm(GovukFormMixin, forms.Form):
    at = forms.TypedChoiceField(
        label="The meeting that approved them",
        coerce=int,
        error_messages={"required": "Choose the meeting that approved them"},
    )

    def __init__(self, *args, later=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].choices = [
            (m.pk, f"{m.reference}, {m.meets_on:%-d %B %Y}") for m in later
        ]


class ReportForm(GovukFormMixin, forms.Form):
    reported_on = DateField(
        label="Date it was reported",
        error_messages={"required": "Enter the date it was reported"},
    )


class FollowUpForm(GovukFormMixin, forms.Form):
    meets_on = DateField(
        label="Date of the follow-up meeting",
        error_messages={"required": "Enter the date of the follow-up meeting"},
    )


class ProviderNotesForm(GovukFormMixin, forms.Form):
    """Nothing to fill in: the button asks for the provider's letter; its refusal shows here."""

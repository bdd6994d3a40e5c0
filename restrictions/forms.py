"""Forms for restriction pages, built from the council's pack (its levels in its words, the
evidence and questions each step needs)."""

from django import forms

from core.forms import DateField, GovukFormMixin
from decisions.forms import DetailsMixin, EvidenceMixin
from restrictions.models import Level
from restrictions.pack import Action, Restrictions

THIS = "location"
WHOLE = "provider"


class PlacementCheckForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label="Name, postcode or CQC ID",
        help_text="For example Willow House, RG14 1 or 1-101641361",
        max_length=100,
        error_messages={"required": "Enter a name, postcode or CQC ID"},
    )


class IssueForm(GovukFormMixin, forms.Form):
    """Issuing a list has no fields: bound and empty, it carries a service's error to the top
    of the lists page (an unbound form cannot take one)."""

    def __init__(self, *args, **kwargs):
        super().__init__({}, *args, **kwargs)


class ContactMixin:
    """The council contact placement staff call first (003 memo) and the exceptions."""

    def add_contact(self) -> None:
        self.fields["contact_name"] = forms.CharField(label="Name", max_length=200, required=False)
        self.fields["contact_phone"] = forms.CharField(
            label="Telephone", max_length=40, required=False
        )
        self.fields["contact_email"] = forms.EmailField(
            label="Email", max_length=254, required=False
        )
        self.fields["exceptions"] = forms.CharField(
            label="Exceptions that will be considered (optional)",
            help_text="For example: increases to an existing care package (004 13.2).",
            required=False,
            max_length=10_000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.style_fields(["contact_name", "contact_phone", "contact_email", "exceptions"])

    def contact(self) -> dict:
        return {
            "name": self.cleaned_data.get("contact_name", ""),
            "phone": self.cleaned_data.get("contact_phone", ""),
            "email": self.cleaned_data.get("contact_email", ""),
        }

    def add_domain_errors(self, errors):
        mapped = {}
        for key, messages in errors.items():
            name = {
                "contact.name": "contact_name",
                "contact.phone": "contact_phone",
                "contact.email": "contact_email",
            }.get(key, key)
            mapped.setdefault(name, []).extend(messages)
        super().add_domain_errors(mapped)


class ProposeForm(ContactMixin, DetailsMixin, EvidenceMixin, GovukFormMixin, forms.Form):
    level = forms.ChoiceField(
        label="Restriction",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the restriction"},
    )
    scope = forms.ChoiceField(
        label="Which services",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which services it covers"},
        initial=THIS,
        choices=[(THIS, "This service only"), (WHOLE, "All of the provider's services")],
    )
    reasons = forms.CharField(
        label="Reasons, in writing",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
        error_messages={"required": "Give the reasons"},
    )
    review_on = DateField(label="Review date (optional)", required=False)
    urgent = forms.BooleanField(label="This is urgent", required=False)

    def __init__(self, *args, pack: Restrictions, location=None, fixed_level: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        action: Action = pack.action("impose")
        self.fields["level"].choices = [(lv.key, lv.label) for lv in pack.restrictive_levels]
        if fixed_level:
            self.fields["level"].initial = fixed_level
        self.fields["level"].widget.attrs["class"] = "govuk-radios__input"
        self.fields["scope"].widget.attrs["class"] = "govuk-radios__input"
        if location is None or not pack.whole_provider:
            del self.fields["scope"]
        self.add_evidence(pack.evidence_kinds, action.evidence)
        self.add_questions(action.fields)
        self.add_contact()
        if action.approval is None:
            del self.fields["urgent"]

    def clean(self):
        cleaned = super().clean()
        self.check_evidence()
        return cleaned


class ChangeForm(DetailsMixin, EvidenceMixin, GovukFormMixin, forms.Form):
    level = forms.ChoiceField(
        label="Change it to",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to change it to"},
    )
    reasons = forms.CharField(
        label="Reasons, in writing",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
        error_messages={"required": "Give the reasons"},
    )
    review_on = DateField(label="Next review date (optional)", required=False)
    urgent = forms.BooleanField(label="This is urgent", required=False)

    def __init__(self, *args, pack: Restrictions, current: str, lifting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(lv.key, lv.label) for lv in pack.levels.values() if lv.key != current]
        self.fields["level"].choices = choices
        self.fields["level"].widget.attrs["class"] = "govuk-radios__input"
        if lifting:
            self.fields["level"].initial = Level.NONE
        self.bound_action = pack.action("lift" if lifting else "change")
        self.add_evidence(pack.evidence_kinds, self.bound_action.evidence)
        self.add_questions(self.bound_action.fields)

    def clean(self):
        cleaned = super().clean()
        self.check_evidence()
        return cleaned


class ReviewForm(GovukFormMixin, forms.Form):
    note = forms.CharField(
        label="What the review found",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        error_messages={"required": "Say what the review found"},
    )
    next_review_on = DateField(
        label="Next review date",
        error_messages={"required": "Set the next review date"},
    )
    hold = forms.BooleanField(
        label="Keep it in place for the minimum time after compliance", required=False
    )
    compliance_on = DateField(label="Date compliance was achieved", required=False)

    def __init__(self, *args, pack: Restrictions, level: str, **kwargs):
        super().__init__(*args, **kwargs)
        if pack.hold is None or level not in pack.hold.levels:
            del self.fields["hold"], self.fields["compliance_on"]
        else:
            self.fields["hold"].help_text = (
                f"At least {pack.hold.months} months after compliance, where standards "
                f"fluctuate ({pack.hold.seed})."
            )


class ContactForm(ContactMixin, GovukFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_contact()


class AppealForm(EvidenceMixin, GovukFormMixin, forms.Form):
    received_on = DateField(
        label="Date the appeal was received",
        error_messages={"required": "Enter the date the appeal was received"},
    )
    grounds = forms.CharField(
        label="The provider's reasons for appealing",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
        error_messages={"required": "Give the provider's reasons"},
    )

    def __init__(self, *args, pack: Restrictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_evidence(pack.evidence_kinds, ())

    def clean(self):
        data = super().clean()
        self.check_evidence()
        return data


class SentForm(GovukFormMixin, forms.Form):
    sent_on = DateField(
        label="Date sent",
        error_messages={"required": "Enter the date it was sent"},
    )
    how = forms.CharField(
        label="How it was sent",
        max_length=300,
        error_messages={"required": "Say how it was sent"},
    )

"""The letters' page forms (GOV.UK classes; the services check everything again)."""

from django import forms

from core.forms import DateField, GovukFormMixin


class LetterForm(GovukFormMixin, forms.Form):
    addressee_name = forms.CharField(
        label="Name", required=False, max_length=200, help_text="The person it is addressed to."
    )
    addressee_role = forms.CharField(
        label="Their role", required=False, max_length=200, help_text="For example: Owner."
    )
    addressee_organisation = forms.CharField(label="Organisation", required=False, max_length=300)
    address = forms.CharField(
        label="Postal address",
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text="One line per line. Every letter has a postal address, even when emailed.",
    )
    email = forms.EmailField(
        label="Email address to send it to",
        required=False,
        max_length=254,
        help_text="Leave empty to post it. The PDF is attached to the email.",
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    note = forms.CharField(
        label="A paragraph of your own (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Printed before the signature: for example the date and place of a meeting.",
    )


class PostedForm(GovukFormMixin, forms.Form):
    sent_on = DateField(
        label="Date posted",
        error_messages={"required": "Enter the date it was posted"},
    )


class ReceiptForm(GovukFormMixin, forms.Form):
    received_on = DateField(
        label="Date the provider confirmed receipt",
        error_messages={"required": "Enter the date receipt was confirmed"},
    )
    how = forms.CharField(
        label="How they confirmed it",
        max_length=300,
        help_text="For example: email from the owner.",
        error_messages={"required": "Say how they confirmed it"},
    )


class ActionForm(GovukFormMixin, forms.Form):
    """A button with nothing to fill in (issue, send again): carries the service's errors to
    the error summary."""


class StartForm(forms.Form):
    """Which letter to start by hand (the pack's letters this person's role may write)."""

    kind = forms.ChoiceField(
        label="Which letter",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the letter to write"},
    )

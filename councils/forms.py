from django import forms

from core.forms import DateField, GovukFormMixin
from councils.models import Membership, Role, User
from councils.permissions import SCOPE_LABELS, TOKEN_SCOPES


class TokenForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Which system is this for?",
        max_length=120,
        help_text="For example, Mosaic case management",
        error_messages={"required": "Enter the name of the system"},
    )
    scopes = forms.MultipleChoiceField(
        label="What may it do?",
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one thing the system may do"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is made: every app has registered its scopes by then.
        self.fields["scopes"].choices = [(s, SCOPE_LABELS.get(s, s)) for s in sorted(TOKEN_SCOPES)]


class DelegationForm(GovukFormMixin, forms.Form):
    delegator = forms.ModelChoiceField(
        label="Decision maker", queryset=Membership.objects.none(), empty_label=None
    )
    delegate = forms.ModelChoiceField(
        label="Who stands in", queryset=User.objects.none(), empty_label="Choose a person"
    )
    starts_on = DateField(label="From")
    ends_on = DateField(label="To (inclusive)")
    reason = forms.CharField(label="Reason", required=False, max_length=300)

    def __init__(self, *args, council, user, **kwargs):
        super().__init__(*args, **kwargs)
        makers = Membership.objects.filter(
            council=council, role=Role.DECISION_MAKER, is_active=True
        ).select_related("user")
        if not user.has_perm("councils.manage_tokens", council):
            makers = makers.filter(user=user)
        self.fields["delegator"].queryset = makers
        self.fields["delegator"].label_from_instance = lambda m: (
            f"{m.title or 'Decision maker'} – {m.user}"
        )
        self.fields["delegate"].queryset = (
            User.objects.filter(memberships__council=council, memberships__is_active=True)
            .distinct()
            .order_by("first_name", "last_name")
        )
        for name in ("starts_on", "ends_on"):
            self.fields[name].widget.attrs["class"] += " govuk-input--width-10"

from django import forms
from django.db.models import Q

from core.forms import DateField, GovukFormMixin
from core.limits import TEXT_MAX
from councils.models import Role, User
from monitoring.models import ContractType, Outcome, PlanKind, PlanStatus, Source
from monitoring.pack import intelligence_rules, review_rules
from monitoring.selectors.plans import PlanFilters
from monitoring.services.reviews import RATED


def _members(council):
    """Those a picker offers (issue 13): the council's officers and managers, who visit,
    monitor and take intelligence; never placement staff, auditors or partners on a board."""
    return (
        User.objects.filter(
            memberships__council=council,
            memberships__is_active=True,
            memberships__role__in=[Role.OFFICER, Role.MANAGER],
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


class CommissioningForm(GovukFormMixin, forms.Form):
    contract_type = forms.ChoiceField(
        label="Contract", choices=ContractType.choices, widget=forms.RadioSelect
    )
    in_area = forms.TypedChoiceField(
        label="Is the location in the council's area?",
        choices=[("True", "Yes"), ("False", "No")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "True",
    )
    annual_spend = forms.DecimalField(
        label="Annual spend (£)", min_value=0, initial=0, max_digits=12, decimal_places=2
    )
    beds = forms.IntegerField(label="Beds commissioned", min_value=0, initial=0)
    home_care_hours = forms.DecimalField(
        label="Home care hours a week", min_value=0, initial=0, max_digits=9, decimal_places=2
    )
    people = forms.IntegerField(label="People funded", min_value=0, initial=0)
    specialist_service = forms.CharField(
        label="Specialist service",
        required=False,
        max_length=200,
        help_text="Leave empty if it provides none",
    )
    contact_officer = forms.ModelChoiceField(
        label="Council contact officer",
        queryset=User.objects.none(),
        required=False,
        empty_label="No contact officer",
    )

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_officer"].queryset = _members(council)
        for name in ("annual_spend", "beds", "home_care_hours", "people"):
            self.fields[name].widget.attrs["class"] += " govuk-input--width-10"


class IntelligenceForm(GovukFormMixin, forms.Form):
    source = forms.ChoiceField(label="Where did it come from?", choices=Source.choices)
    received_on = DateField(
        label="Date received",
        error_messages={
            "required": "Enter the date it was received",
            "invalid": "Enter a real date",
        },
    )
    whole_provider = forms.BooleanField(
        label="It concerns all the provider's services", required=False
    )
    severity = forms.ChoiceField(label="Severity", widget=forms.RadioSelect)
    themes = forms.MultipleChoiceField(
        label="Themes", required=False, widget=forms.CheckboxSelectMultiple
    )
    narrative = forms.CharField(
        max_length=TEXT_MAX,
        label="What was reported",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe what was reported"},
    )
    allocated_to = forms.ModelChoiceField(
        label="Allocate to", queryset=User.objects.none(), required=False, empty_label="Nobody yet"
    )

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        rules = intelligence_rules(council)
        self.fields["severity"].choices = [(k, s.label) for k, s in rules.severities.items()]
        self.fields["themes"].choices = list(rules.themes.items())
        self.fields["allocated_to"].queryset = _members(council)
        self.fields["received_on"].widget.attrs["class"] += " govuk-input--width-10"


class CorrectionForm(IntelligenceForm):
    reason = forms.CharField(
        max_length=TEXT_MAX,
        label="Why is it being corrected?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the item is being corrected"},
    )

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["whole_provider"]
        if item is not None and item.allocated_to_id:
            # Someone who has left keeps the items allocated to them until an officer changes
            # it: their name stays a choice, so an unrelated correction does not clear it.
            field = self.fields["allocated_to"]
            field.queryset = User.objects.filter(
                Q(pk__in=field.queryset.values("pk")) | Q(pk=item.allocated_to_id)
            ).order_by("first_name", "last_name")


class OutcomeForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices, widget=forms.RadioSelect)
    outcome_on = DateField(
        label="Date of the outcome",
        required=False,
        help_text="Today if left empty",
    )
    reason = forms.CharField(
        max_length=TEXT_MAX,
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the outcome"},
    )


class AttachmentForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="Attach a file", error_messages={"required": "Select a file to attach"}
    )


class IntelligenceFilterForm(GovukFormMixin, forms.Form):
    q = forms.CharField(max_length=200, label="Location, provider or reference", required=False)
    source = forms.ChoiceField(
        label="Source", required=False, choices=[("", "Any")] + list(Source.choices)
    )
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "Any")] + list(Outcome.choices)
    )
    mine = forms.BooleanField(label="Only items allocated to me", required=False)


class RiskFilterForm(GovukFormMixin, forms.Form):
    q = forms.CharField(max_length=200, label="Location or provider", required=False)
    rag = forms.ChoiceField(
        label="RAG",
        required=False,
        choices=[("", "Any"), ("red", "Red"), ("amber", "Amber"), ("green", "Green")],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("score", "Highest score first"),
            ("name", "Location name"),
            ("provider", "Provider"),
            ("rating", "CQC rating"),
        ],
    )
    overridden = forms.BooleanField(label="Only overridden ratings", required=False)


class PlanFilterForm(GovukFormMixin, forms.Form):
    q = forms.CharField(max_length=200, label="Location or provider", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any"), *PlanStatus.choices],
    )
    kind = forms.ChoiceField(
        label="Kind of plan",
        required=False,
        choices=[("", "Any"), *PlanKind.choices],
    )
    overdue = forms.BooleanField(label="Only plans with overdue actions", required=False)

    def filters(self):
        """The filters as the list's selector takes them (none when the form is not valid)."""
        d = self.cleaned_data if self.is_valid() else {}
        return PlanFilters(
            status=d.get("status") or "",
            kind=d.get("kind") or "",
            q=d.get("q") or "",
            overdue=bool(d.get("overdue")),
        )


class RiskOverrideForm(GovukFormMixin, forms.Form):
    rag = forms.ChoiceField(
        label="RAG to use",
        choices=[("red", "Red"), ("amber", "Amber"), ("green", "Green")],
        widget=forms.RadioSelect,
    )
    expires_on = DateField(
        label="Until",
        help_text="A year at most",
        error_messages={"required": "Enter the date it ends"},
    )
    reason = forms.CharField(
        max_length=TEXT_MAX,
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for overriding the rating"},
    )


def _review_kinds(council):
    return list(review_rules(council).labels.items())


class ReviewPlanForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind of review")
    planned_for = DateField(
        label="Planned for",
        error_messages={"required": "Enter the date planned"},
    )
    announced = forms.TypedChoiceField(
        label="Announced to the provider?",
        choices=[("True", "Yes"), ("False", "No")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "True",
        initial="True",
    )
    officers = forms.ModelMultipleChoiceField(
        label="Officers",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _review_kinds(council)
        self.fields["officers"].queryset = _members(council)


class ReviewRecordForm(GovukFormMixin, forms.Form):
    visited_on = DateField(
        label="Date of the review",
        error_messages={"required": "Enter the date of the review"},
    )
    announced = forms.TypedChoiceField(
        label="Was it announced?",
        choices=[("True", "Yes"), ("False", "No")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "True",
    )
    officers = forms.ModelMultipleChoiceField(
        label="Officers",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    findings = forms.CharField(
        max_length=TEXT_MAX,
        label="Findings",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Record what the review found"},
    )
    evidence_seen = forms.CharField(
        max_length=TEXT_MAX,
        label="Evidence seen",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    people_spoken_to = forms.CharField(
        max_length=TEXT_MAX,
        label="People spoken to",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rating = forms.ChoiceField(
        label="Rating",
        choices=[(r, r) for r in RATED],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the rating"},
    )

    def __init__(self, *args, council, rated_as: str = "", **kwargs):
        """`rated_as`: the label of a rated review type (001: "PAMMS assessment"), whose
        rating is asked for; other types have none."""
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = _members(council)
        if rated_as:
            self.fields["rating"].label = f"{rated_as} rating"
        else:
            del self.fields["rating"]


class ReportSentForm(GovukFormMixin, forms.Form):
    sent_on = DateField(label="Report sent on")


class PlanForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Kind of plan",
        choices=PlanKind.choices,
        widget=forms.RadioSelect,
        initial="improvement",
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Give the plan a title"}
    )
    started_on = DateField(
        label="Agreed on",
        error_messages={"required": "Enter the date the plan started"},
    )


class PlanActionForm(GovukFormMixin, forms.Form):
    what = forms.CharField(
        max_length=TEXT_MAX,
        label="What must change",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what must change"},
    )
    provider_lead = forms.CharField(
        label="Who at the provider",
        max_length=200,
        error_messages={"required": "Say who at the provider"},
    )
    council_monitor = forms.ModelChoiceField(
        label="Who in the council monitors it",
        queryset=User.objects.none(),
        empty_label="Choose who monitors it",
        error_messages={"required": "Choose who monitors it"},
    )
    due_on = DateField(
        label="Due by",
        error_messages={"required": "Enter the date it is due"},
    )

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council_monitor"].queryset = _members(council)


class PlanReviewForm(GovukFormMixin, forms.Form):
    reviewed_on = DateField(
        label="Reviewed on",
        error_messages={"required": "Enter the date of the review"},
    )
    notes = forms.CharField(
        max_length=TEXT_MAX, label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = list(actions)
        for action in self.actions:
            self.fields[f"action_{action.pk}"] = forms.ChoiceField(
                label=action.what,
                choices=[("met", "Met"), ("not_met", "Not met")],
                widget=forms.RadioSelect,
                error_messages={"required": "Say whether this action was met"},
            )

    @property
    def action_fields(self):
        return [self[f"action_{a.pk}"] for a in self.actions]

    def results(self) -> dict[int, bool]:
        return {a.pk: self.cleaned_data[f"action_{a.pk}"] == "met" for a in self.actions}

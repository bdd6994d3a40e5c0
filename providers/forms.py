from django import forms

from core.forms import GovukFormMixin
from providers import selectors
from providers.models import ColumnMapping, ImportFormat


class LocationSearchForm(GovukFormMixin, forms.Form):
    q = forms.CharField(label="Name", required=False, max_length=200)
    postcode = forms.CharField(label="Postcode", required=False, max_length=12)
    cqc_id = forms.CharField(
        label="CQC ID", required=False, max_length=20, help_text="Location or provider ID"
    )
    local_authority = forms.ChoiceField(label="Local authority", required=False)
    service_type = forms.ChoiceField(label="Service type", required=False)
    rating = forms.ChoiceField(
        label="Overall rating",
        required=False,
        choices=[("", "Any rating")] + selectors.RATING_FILTER_CHOICES,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authority"].choices = [("", "Any")] + [
            (v, v) for v in selectors.local_authorities()
        ]
        self.fields["service_type"].choices = [("", "Any")] + [
            (v, v) for v in selectors.service_types()
        ]

    def filters(self) -> selectors.LocationFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.LocationFilters(
            **{
                k: (data.get(k) or "")
                for k in ("q", "postcode", "cqc_id", "local_authority", "service_type", "rating")
            }
        )


class ImportForm(GovukFormMixin, forms.Form):
    format = forms.ChoiceField(
        label="Kind of file",
        choices=ImportFormat.choices,
        error_messages={"required": "Select the kind of file"},
    )
    mapping = forms.ModelChoiceField(
        label="Column mapping",
        queryset=ColumnMapping.objects.none(),
        required=False,
        help_text="Only for a council spreadsheet: how its columns map onto the register.",
    )
    file = forms.FileField(
        label="File",
        error_messages={"required": "Select a file to import", "empty": "The file is empty"},
        help_text="JSON for CQC API records; CSV for the CQC care directory; CSV or XLSX for "
        "a council spreadsheet.",
    )

    def __init__(self, *args, council=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = ColumnMapping.objects.filter(council=council)
        self.fields["mapping"].empty_label = "None"
        self.fields["format"].widget.attrs["class"] = "govuk-select"

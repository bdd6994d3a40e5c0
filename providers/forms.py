from django import forms

from core.forms import GovukFormMixin
from providers import selectors
from providers.importing.spreadsheet import DEFAULT_OPTIONS, MAPPABLE_FIELDS, REQUIRED_MAPPED
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
    """A council's own spreadsheet: it changes only the council's records (issue 11)."""

    mapping = forms.ModelChoiceField(
        label="Column mapping",
        queryset=ColumnMapping.objects.none(),
        empty_label="Choose a column mapping",
        help_text="How your spreadsheet's columns map onto your records.",
        error_messages={"required": "Select the column mapping for this spreadsheet"},
    )
    file = forms.FileField(
        label="Spreadsheet",
        error_messages={"required": "Select a file to import", "empty": "The file is empty"},
        help_text="CSV or XLSX.",
    )

    def __init__(self, *args, council=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = ColumnMapping.objects.filter(council=council)
        self.fields["mapping"].empty_label = "Select a mapping"
        self.fields["mapping"].widget.attrs["class"] = "govuk-select"


class NationalImportForm(GovukFormMixin, forms.Form):
    """The national register's keepers bring in CQC's own files."""

    format = forms.ChoiceField(
        label="Kind of file",
        choices=[
            (ImportFormat.CQC_JSON, ImportFormat.CQC_JSON.label),
            (ImportFormat.CQC_CSV, ImportFormat.CQC_CSV.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of file"},
    )
    file = forms.FileField(
        label="File",
        error_messages={"required": "Select a file to import", "empty": "The file is empty"},
        help_text="JSON for CQC API records; CSV or XLSX for CQC's care directory.",
    )


class MappingForm(GovukFormMixin, forms.Form):
    """One text box per register field: the heading of the column that holds it."""

    name = forms.CharField(label="Name of the mapping", max_length=120)
    header_row = forms.IntegerField(
        label="Row of the column headings",
        min_value=1,
        initial=1,
        help_text="1 when the headings are on the first row",
    )
    service_type_separator = forms.CharField(
        label="Separator between service types", initial="|", max_length=5, strip=False
    )
    null_values = forms.CharField(
        max_length=500,
        label="Values meaning empty",
        initial="NA, N/A, -",
        required=False,
        help_text="Separated by commas",
    )
    regulator = forms.ChoiceField(
        label="Who rates these services",
        choices=[("CQC", "CQC"), ("Ofsted", "Ofsted")],
        widget=forms.RadioSelect,
        initial="CQC",
    )

    def add_domain_errors(self, errors):
        """The service names columns and options by their path; the form by its fields."""
        super().add_domain_errors(
            {
                key.replace("columns.", "col_").replace("options.", ""): messages
                for key, messages in errors.items()
            }
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in MAPPABLE_FIELDS.items():
            self.fields[f"col_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                help_text="Required" if key in REQUIRED_MAPPED else None,
            )
        for name, field in self.fields.items():
            if name.startswith("col_"):
                field.widget.attrs["class"] = "govuk-input govuk-input--width-20"
                if field.help_text:
                    field.widget.attrs["aria-describedby"] = f"id_{name}-hint"

    @property
    def column_fields(self):
        return [self[f"col_{key}"] for key in MAPPABLE_FIELDS]

    @classmethod
    def initial_for(cls, mapping) -> dict:
        options = {**DEFAULT_OPTIONS, **mapping.options}
        initial = {
            "name": mapping.name,
            "header_row": options["header_row"],
            "service_type_separator": options["service_type_separator"],
            "null_values": ", ".join(v for v in options["null_values"] if v),
            "regulator": options.get("regulator", "CQC"),
        }
        initial.update({f"col_{k}": v for k, v in mapping.columns.items()})
        return initial

    def mapping_values(self) -> tuple[str, dict, dict]:
        d = self.cleaned_data
        columns = {
            k: d[f"col_{k}"].strip() for k in MAPPABLE_FIELDS if d.get(f"col_{k}", "").strip()
        }
        nulls = [""] + [v.strip() for v in (d.get("null_values") or "").split(",") if v.strip()]
        options = {
            "header_row": d["header_row"],
            "service_type_separator": d["service_type_separator"],
            "null_values": nulls,
            "regulator": d["regulator"],
        }
        return d["name"], columns, options

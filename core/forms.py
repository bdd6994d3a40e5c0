"""GOV.UK Design System classes on Django forms, so templates render one field include."""

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator

from core.errors import Conflict, NotAllowed, ValidationFailed
from core.limits import plausible_date

WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


class DateParts(NamedTuple):
    """What a person typed into the three boxes of a date, kept as typed so a page that
    refuses it shows it back."""

    day: str
    month: str
    year: str
    whole: str = ""  # a whole date sent under the field's own name that is not an ISO date


class GovukDateInput(forms.MultiWidget):
    """GOV.UK's date input: day, month and year boxes in a fieldset (issue 13: the browser's
    date picker is hard to use with a keyboard or a screen reader, and GOV.UK asks for the
    three boxes). A whole ISO date posted under the field's own name is still accepted, as
    other systems and older links send it."""

    template_name = "includes/date_input.html"
    use_fieldset = True
    PARTS = ("day", "month", "year")

    def __init__(self, attrs=None):
        boxes = {
            part: forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
            for part in self.PARTS
        }
        super().__init__(boxes, attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value[:10])
            except ValueError:
                return [None, None, None]
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        """The three boxes as typed; a whole ISO date under the field's own name only when
        the boxes are empty."""
        parts = DateParts(*(str(data.get(f"{name}_{p}") or "").strip()[:8] for p in self.PARTS))
        if any(parts):
            return parts
        whole = str(data.get(name) or "").strip()[:10]
        if whole:
            year, _, rest = whole.partition("-")
            month, _, day = rest.partition("-")
            return DateParts(day, month, year) if day else DateParts("", "", "", whole=whole)
        return None

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}_{p}" not in data for p in self.PARTS)


class DateField(forms.DateField):
    """A date asked with GOV.UK's date input, refused in GOV.UK's words: "… must include a
    month", "… must be a real date"."""

    widget = GovukDateInput

    def __init__(self, *args, **kwargs):
        kwargs.pop("widget", None)
        super().__init__(*args, **kwargs)

    def _name(self) -> str:
        label = str(self.label or "The date").removesuffix(" (optional)")
        return label[:1].upper() + label[1:]

    def to_python(self, value):
        if not isinstance(value, DateParts):
            return super().to_python(value)
        missing = [p for p in GovukDateInput.PARTS if not getattr(value, p)]
        if value.whole:
            raise ValidationError(f"{self._name()} must be a real date", code="invalid")
        if missing:
            raise ValidationError(
                f"{self._name()} must include a {' and a '.join(missing)}", code="incomplete"
            )
        try:
            parts = value[:3]
            if not all(v.isascii() and v.isdecimal() for v in parts) or len(value.year) != 4:
                raise ValueError
            day, month, year = (int(v) for v in parts)
            return dt.date(year, month, day)
        except ValueError:
            raise ValidationError(f"{self._name()} must be a real date", code="invalid") from None


DJANGO_REQUIRED = forms.Field.default_error_messages["required"]


DETERMINERS = ("the ", "a ", "an ", "your ", "their ", "its ", "who ", "what ", "when ", "how ")


def required_message(field: forms.Field, name: str) -> str:
    """GOV.UK's words for a question left unanswered, for fields that do not give their own
    (never Django's "This field is required.")."""
    label = str(field.label or name.replace("_", " ")).removesuffix(" (optional)").strip()
    choices = {str(v).lower() for v, _ in getattr(field, "choices", ()) if v not in ("", None)}
    if label.endswith("?") or choices in ({"yes", "no"}, {"true", "false"}):
        return f"Answer “{label}”"
    words = label[:1].lower() + label[1:] if not label[:2].isupper() else label
    if not words.lower().startswith(DETERMINERS):
        words = f"the {words}"
    if isinstance(field, forms.ChoiceField):
        return f"Select {words}"
    if isinstance(field, forms.FileField):
        return f"Choose {words}"
    return f"Enter {words}"


class GovukFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields(self.fields)

    def style_fields(self, names) -> None:
        """GOV.UK classes and hint ids; forms that add fields later call it for those."""
        for name in names:
            field = self.fields[name]
            widget = field.widget
            css = next(
                (c for klass, c in WIDGET_CLASSES.items() if isinstance(widget, klass)),
                "govuk-input",
            )
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if field.error_messages.get("required") == DJANGO_REQUIRED:
                field.error_messages["required"] = required_message(field, name)
            if isinstance(field, forms.DateField) and plausible_date not in field.validators:
                field.validators = [*field.validators, plausible_date]
            limit = getattr(field, "max_length", None)
            if limit and isinstance(field, forms.CharField):
                # GOV.UK's words for a text that is too long, not Django's.
                label = str(field.label or name.replace("_", " ")).capitalize()
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxLengthValidator)
                ] + [
                    MaxLengthValidator(
                        limit, message=f"{label} must be {limit:,} characters or fewer"
                    )
                ]
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self):
        """Mark fields in error once validation has run (never in __init__, where a
        subclass may not have set its querysets yet)."""
        super().full_clean()
        self._mark_errors()

    def _mark_errors(self):
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            base = widget.attrs.get("class", "").split()[0] if widget.attrs.get("class") else ""
            if base and f"{base}--error" not in widget.attrs["class"]:
                widget.attrs["class"] += f" {base}--error"
            described = widget.attrs.get("aria-describedby", "")
            error_id = f"{self[name].auto_id}-error"
            if error_id not in described:
                widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()

    def add_domain_errors(self, errors: dict[str, list[str]]) -> None:
        """Put a service's field errors on the form, so the page names each field."""
        for field, messages in errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)
        self._mark_errors()


def on_form(form, call: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a service for a page's form: (True, its result), or (False, None) with the domain
    error on the form, each field's message on its field (so the error summary links to it)
    and anything else at the top of the form. The one place pages turn domain errors into
    form errors. What the person may not do is not a form error: it answers 403, as the API
    does (issue 11: before any 409)."""
    try:
        return True, call()
    except ValidationFailed as exc:
        if exc.errors:
            form.add_domain_errors(exc.errors)
        else:
            form.add_error(None, exc.message)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except Conflict as exc:
        form.add_error(None, exc.message)
    return False, None


class ReasonForm(GovukFormMixin, forms.Form):
    """A reason in writing, for the many actions that need only that (withdraw, close)."""

    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        error_messages={"required": "Give the reason"},
    )

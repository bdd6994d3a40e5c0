"""GOV.UK Design System classes on Django forms, so templates render one field include."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
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

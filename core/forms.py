"""GOV.UK Design System classes on Django forms, so templates render one field include."""

from django import forms

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
        for name, field in self.fields.items():
            widget = field.widget
            css = next(
                (c for klass, c in WIDGET_CLASSES.items() if isinstance(widget, klass)),
                "govuk-input",
            )
            if self.is_bound and name in self.errors:
                css += f" {css}--error"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-hint"
            if self.is_bound and name in self.errors:
                described = widget.attrs.get("aria-describedby", "")
                widget.attrs["aria-describedby"] = f"{described} id_{name}-error".strip()

    def add_domain_errors(self, errors: dict[str, list[str]]) -> None:
        """Put a service's field errors on the form, so the page names each field."""
        for field, messages in errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)

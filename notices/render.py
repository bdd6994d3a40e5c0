"""Making a letter: its template (the council's, under `policies/letters/`) filled from plain
data (kept with the issued PDF), as HTML for the preview and as a tagged PDF.

A template that refers to a field the data does not have fails with the field named (nothing
is issued): templates are rendered with a marker for missing values, and the marker found in
the result names the field."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError

from core.errors import ValidationFailed
from core.pdf import pdf_render

MISSING = "\u2063MISSING[%s]\u2063"
MISSING_RE = re.compile("\u2063MISSING\\[([^\\]]*)\\]\u2063")


class TemplateProblem(ValidationFailed):
    """The council's template cannot be filled: a field it names is missing, or it is
    broken. Shown on the preview; nothing is issued."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message, errors={"template": [message]})
        self.field = field


def templates_dir() -> Path:
    """The councils' letter templates live with their packs."""
    return Path(settings.POLICY_DIR) / "letters"


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine(
        dirs=[str(templates_dir())],
        autoescape=True,
        string_if_invalid=MISSING,
        libraries={},
        builtins=["django.template.defaultfilters", "django.template.defaulttags"],
    )


def letter_html(template: str, data: dict) -> str:
    """The letter as a complete HTML document, or TemplateProblem naming what is wrong."""
    try:
        html = engine().get_template(template).render(Context(data, autoescape=True))
    except TemplateDoesNotExist as exc:
        raise TemplateProblem(f"The template {template} is missing from the policy pack.") from exc
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"The template {template} is broken: {exc}") from exc
    missing = sorted(set(MISSING_RE.findall(html)))
    if missing:
        fields = ", ".join(m or "(unnamed)" for m in missing)
        raise TemplateProblem(
            f"The letter refers to {fields}, which it was not given: "
            f"add it to the request or correct the template ({template}).",
            field=missing[0],
        )
    return html


def letter_pdf(template: str, data: dict) -> bytes:
    return pdf_render(letter_html(template, data))

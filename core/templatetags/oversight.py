"""Template tags of the shared pages."""

from django import template

from core import extensions

register = template.Library()


@register.inclusion_tag("includes/section_nav.html", takes_context=True)
def section_nav(context, group: str, label: str):
    """A section's own navigation (`core.extensions.section_nav`, entries of `group`)."""
    request = context["request"]
    return {
        "entries": extensions.nav_entries(extensions.section_nav, request=request, group=group),
        "label": label,
    }


@register.filter
def cell(cells: dict, key):
    """A column's cell for a row: `{{ column.cells|cell:loc.pk }}` (empty when none)."""
    return cells.get(key, "") if cells else ""


@register.simple_tag(takes_context=True)
def list_query(context) -> str:
    """The list's filters as they are now (without the page and the download format), for
    links that keep them: the next page, a download."""
    query = context["request"].GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    return query.urlencode()


@register.filter
def cite(seed, documents) -> str:
    """A seed citation in the council's words: "003 1.13" becomes "Somerset Contract,
    Quality & Risk Management Policy, 1.13" when `documents` ({"003": title}) knows it."""
    text = str(seed or "")
    number, _, rest = text.partition(" ")
    title = (documents or {}).get(number) if isinstance(documents, dict) else None
    if not title:
        return text
    return f"{title}, {rest}" if rest else title


@register.filter
def words(keys, labels) -> str:
    """Keys in the council's words, joined: `{{ stage.suspends_reviews|words:review_kinds }}`
    gives "Contract visit, Reactive visit" rather than "contract_visit, reactive"."""
    labels = labels if isinstance(labels, dict) else {}
    return ", ".join(str(labels.get(k, str(k).replace("_", " "))) for k in keys or ())

"""HTML to PDF with WeasyPrint: tagged (PDF/UA where WeasyPrint allows), with the document's
language and title, so a screen reader can read a letter or a list. Letters and list issues
both come through here."""

from __future__ import annotations

import hashlib

from django.conf import settings


def pdf_render(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of a complete HTML document (its <html lang> and <title> become the PDF's
    language and title)."""
    from weasyprint import HTML  # slow to import: only where a PDF is made

    document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR))
    try:
        return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    except (TypeError, ValueError):  # an older WeasyPrint without PDF/UA: still tagged
        return document.write_pdf(pdf_tags=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

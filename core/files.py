"""Files people give the service (an intelligence item's attachment, evidence for a
proposal): one check of a file's type and size, in the same words everywhere, and one way to
hand a kept file back."""

from collections.abc import Iterable
from pathlib import Path

from django.http import FileResponse


def upload_problem(
    name: str, size: int, *, types: Iterable[str], max_bytes: int, kinds: str = ""
) -> str:
    """Why a file cannot be kept, or "": its type (by extension, one of `types`; `kinds` says
    them in words where the list would read badly), empty, or over `max_bytes`."""
    allowed = frozenset(types)
    suffix = Path(name or "").suffix.lower().lstrip(".")
    if suffix not in allowed:
        return (
            f"The file must be {kinds}."
            if kinds
            else (f"The file must be one of: {', '.join(sorted(allowed))}.")
        )
    if size <= 0:
        return "The file is empty."
    if size > max_bytes:
        return f"The file must be no larger than {max_bytes / (1024 * 1024):g} MB."
    return ""


def download(field_file, name: str) -> FileResponse:
    """A kept file, as an attachment under the name it was given with, always as bytes
    (`application/octet-stream`, as the API documents it): what a person gave is never
    offered to a browser as something to show."""
    return FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/octet-stream",
    )

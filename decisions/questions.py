"""What a recommendation carries besides its reason: answers to the pack's typed questions
(Bromley's Appendix 2 form, 000 5) and evidence of the kinds the pack names (a CQC report, the
improvement plan). Checked the same way whatever the subject."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core.files import upload_problem

# Evidence of no kind the pack names; it never stands in for a required kind.
OTHER_EVIDENCE = "other"
MAX_EVIDENCE = 50
MAX_TEXT = 10_000

# What councils attach: reports and letters, minutes, spreadsheets, photographs, emails.
FILE_TYPES = frozenset(
    {"pdf", "doc", "docx", "odt", "rtf", "txt", "xls", "xlsx", "ods", "csv", "jpg", "jpeg"}
    | {"png", "eml", "msg"}
)
FILE_MAX_BYTES = 20 * 1024 * 1024
FILE_TYPES_WORDS = (
    f"A PDF, Word, Excel, OpenDocument, text, CSV, JPG, PNG or email (EML or MSG) file, up to "
    f"{FILE_MAX_BYTES // (1024 * 1024)} MB."
)


def file_problem(name: str, size: int) -> str:
    """Why a file cannot be evidence, or ""."""
    return upload_problem(
        name,
        size,
        types=FILE_TYPES,
        max_bytes=FILE_MAX_BYTES,
        kinds="a PDF, Word, Excel, OpenDocument, text, CSV, JPG, PNG or email (EML or MSG) file",
    )


@dataclass(frozen=True)
class Field:
    """A typed question (`$defs/question` in the pack schema)."""

    key: str
    label: str
    type: str
    required: bool = False
    hint: str = ""
    choices: tuple[str, ...] = ()
    prefill: str = ""
    seed: str = ""

    @classmethod
    def from_pack(cls, data: dict) -> Field:
        return cls(**{**data, "choices": tuple(data.get("choices", ()))})

    def shown(self, value: Any) -> Any:
        """An answer as people read it: dates in words."""
        if self.type == "date" and isinstance(value, str):
            try:
                return dt.date.fromisoformat(value).strftime("%-d %B %Y")
            except ValueError:
                return value
        return value


def fields_from_pack(items) -> tuple[Field, ...]:
    return tuple(Field.from_pack(f) for f in items or ())


@dataclass(frozen=True)
class EvidenceKind:
    key: str
    label: str
    hint: str = ""


def evidence_label(kinds: dict[str, EvidenceKind], key: str) -> str:
    if key == OTHER_EVIDENCE:
        return "Other evidence"
    found = kinds.get(key)
    return found.label if found else key


def check_evidence(
    kinds: dict[str, EvidenceKind], required, evidence, errors: dict[str, list[str]]
) -> list[dict]:
    """Evidence is a list of {kind, note, url, file}; every required kind must be there."""
    clean = []
    if evidence is not None and not isinstance(evidence, list | tuple):
        errors["evidence"] = ["Evidence is a list of items."]
        return clean
    if len(evidence or []) > MAX_EVIDENCE:
        errors["evidence"] = [f"Give at most {MAX_EVIDENCE} items of evidence."]
        return clean
    for i, item in enumerate(evidence or []):
        if not isinstance(item, dict):
            errors.setdefault("evidence", []).append(f"Item {i + 1} is not evidence.")
            continue
        kind = str(item.get("kind", "")).strip()
        note = str(item.get("note", "") or "").strip()[:MAX_TEXT]
        url = str(item.get("url", "") or "").strip()
        # A file: one attached on a page (name, content), or one uploaded before, by its id
        # (decisions.evidence keeps it with the proposal).
        upload = item.get("upload")
        named = item.get("file")
        if kind not in kinds and kind != OTHER_EVIDENCE:
            errors.setdefault("evidence", []).append(f"“{kind}” is not a kind of evidence here.")
            continue
        if url and (not url.startswith(("https://", "http://")) or len(url) > 2000):
            errors.setdefault("evidence", []).append(
                "A link must be a web address starting https:// (or http://)."
            )
            continue
        if named not in (None, "") and (
            isinstance(named, bool)
            or not str(named).isdecimal()
            or len(str(named)) > 18
            or int(named) < 1
        ):
            errors.setdefault("evidence", []).append("A file is named by its id, a number.")
            continue
        if upload is not None:
            problem = file_problem(upload[0], len(upload[1]))
            if problem:
                errors.setdefault("evidence", []).append(problem)
                continue
        if not (note or url or upload or named):
            errors.setdefault("evidence", []).append(
                f"Describe, link or attach the {evidence_label(kinds, kind).lower()}."
            )
            continue
        entry = {"kind": kind, "note": note, "url": url}
        if upload is not None:
            entry["upload"] = upload
        elif named:
            entry["file"] = int(named)
        clean.append(entry)
    given = {e["kind"] for e in clean}
    missing = [k for k in required if k not in given]
    if missing and "evidence" not in errors:
        errors["evidence"] = [
            "Add the evidence this needs: "
            + ", ".join(evidence_label(kinds, k).lower() for k in missing)
            + "."
        ]
    return clean


def check_fields(fields: tuple[Field, ...], details: dict | None, errors: dict) -> dict:
    """The answers, checked against their questions; errors by `details.<key>`."""
    details = details or {}
    if not isinstance(details, dict):
        errors["details"] = ["Answers are given by question."]
        return {}
    clean: dict[str, Any] = {}
    for f in fields:
        value = details.get(f.key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if f.required:
                errors[f"details.{f.key}"] = [f"Answer “{f.label}”."]
            continue
        if f.type == "date":
            if isinstance(value, dt.date):
                value = value.isoformat()
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                errors[f"details.{f.key}"] = [f"“{f.label}” must be a date."]
                continue
        elif f.type == "boolean":
            if not isinstance(value, bool):
                errors[f"details.{f.key}"] = [f"“{f.label}” must be yes or no."]
                continue
        elif f.type == "choice" and value not in f.choices:
            errors[f"details.{f.key}"] = [f"Choose one of the answers for “{f.label}”."]
            continue
        elif not isinstance(value, str) or len(value) > MAX_TEXT:
            errors[f"details.{f.key}"] = [f"Answer “{f.label}” in at most {MAX_TEXT:,} characters."]
            continue
        clean[f.key] = value if not isinstance(value, str) else str(value)
    unknown = set(details) - {f.key for f in fields}
    if unknown:
        errors["details"] = [
            "Unknown questions: " + ", ".join(sorted(map(str, unknown)))[:500] + "."
        ]
    return clean

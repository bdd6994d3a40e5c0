"""Decisions' periodic work."""

from celery import shared_task

from decisions.evidence import evidence_files_tidy


@shared_task(name="decisions.evidence_files_tidy", acks_late=True)
def evidence_files_tidy_task() -> int:
    """Stored evidence no row names (a refused proposal's file), removed nightly."""
    return evidence_files_tidy()

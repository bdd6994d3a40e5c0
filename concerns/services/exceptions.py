"""Exceptions outside the ladder, decided by the decision maker the pack names (000 5 family
choice, 000 6 critical provider, 000 8 resuming placements with a Requires Improvement
provider)."""

from __future__ import annotations

from django.db import transaction

from concerns.pack import Ladder
from concerns.permissions import require_pack_role
from concerns.selectors import open_case_of
from concerns.services.cases import MAX_TEXT
from core.errors import ValidationFailed
from councils.models import Council
from decisions.evidence import evidence_keep
from decisions.models import Recommendation
from decisions.questions import check_evidence, check_fields
from decisions.services import recommendation_propose
from providers.models import Location


@transaction.atomic
def exception_propose(
    *,
    council: Council,
    actor,
    exception: str,
    location: Location,
    reason: str,
    details: dict | None = None,
    evidence: list | None = None,
    urgent: bool = False,
) -> Recommendation:
    """An exception outside the ladder (000 5 family choice, 000 6 critical provider, 000 8
    resuming placements), decided by the decision maker the pack names."""
    ladder = Ladder.of(council)
    found = ladder.exception(exception)
    if found is None:
        raise ValidationFailed("", errors={"exception": ["This council has no such exception."]})
    require_pack_role(actor, council, found.by, ladder.policy, "ask for this")
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Give the reason, in writing."]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [f"Keep it to {MAX_TEXT:,} characters."]
    clean_evidence = check_evidence(ladder.evidence_kinds, (), evidence, errors)
    clean_details = check_fields(found.fields, details, errors)
    if errors:
        raise ValidationFailed("The request could not be made.", errors=errors)
    clean_evidence = evidence_keep(council=council, actor=actor, evidence=clean_evidence)
    case = open_case_of(council=council, location=location)
    return recommendation_propose(
        council=council,
        actor=actor,
        kind="exception",
        key=found.key,
        label=found.label,
        subject=location,
        approval=found.approval,
        provider=location.provider,
        location=location,
        reason=reason.strip(),
        evidence=clean_evidence,
        details=clean_details,
        urgent=urgent,
        proposal={"case": case.pk} if case else {},
    )

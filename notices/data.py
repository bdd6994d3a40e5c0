"""The data a letter is made from: its council's letterhead and the pack's entry for it, the
draft's addressee and people, the register's facts about the provider and its latest rating,
and the facts its request gave. Plain values only: kept with the issued PDF as what it was
made from."""

from __future__ import annotations

from core.workdays import in_words
from monitoring.models import ImprovementPlan, PlanKind, PlanStatus
from notices.models import Letter
from notices.pack import Letters, LetterTemplate
from providers.models import Location, Provider, Rating

DOMAINS = (
    ("safe", "Safe"),
    ("effective", "Effective"),
    ("caring", "Caring"),
    ("responsive", "Responsive"),
    ("well_led", "Well-led"),
)
BELOW_GOOD = {"Requires improvement", "Inadequate"}


def person(user, post: str = "") -> dict:
    if user is None:
        return {"name": "", "post": post, "email": ""}
    return {"name": user.get_full_name() or user.get_username(), "post": post, "email": user.email}


def address_lines(*parts: str) -> list[str]:
    out: list[str] = []
    for part in parts:
        out.extend(p.strip() for p in (part or "").split(",") if p.strip())
    return out


def location_facts(location: Location | None) -> dict:
    if location is None:
        return {}
    rating = Rating.objects.filter(location=location).order_by("-report_date", "-id").first()
    domains = [
        {"domain": label, "rating": getattr(rating, key)}
        for key, label in DOMAINS
        if rating is not None and getattr(rating, key)
    ]
    return {
        "name": location.name,
        "address": address_lines(
            location.address_line1, location.address_line2, location.town, location.postcode
        ),
        "cqc_location_id": location.cqc_location_id or "",
        "overall_rating": (rating.overall if rating else location.overall_rating) or "",
        "inspected_on": in_words(rating.report_date if rating else location.last_inspection_date),
        "domain_ratings": domains,
        "domains_below_good": [d["domain"] for d in domains if d["rating"] in BELOW_GOOD],
    }


def plan_facts(council, location: Location | None) -> dict:
    """The location's active plan, a Serious Concerns action plan first (001 App. 3: what,
    who improves, who monitors, by when), else its improvement plan; {} when none."""
    if location is None:
        return {}
    plans = ImprovementPlan.objects.filter(
        council=council, location=location, status=PlanStatus.ACTIVE
    ).order_by("-started_on", "-id")
    plan = plans.filter(kind=PlanKind.SERIOUS_CONCERNS).first() or plans.first()
    if plan is None:
        return {}
    actions = plan.actions.select_related("council_monitor").order_by("due_on", "id")
    return {
        "title": plan.title,
        "kind": plan.get_kind_display(),
        "started_on": in_words(plan.started_on),
        "actions": [
            {
                "what": a.what,
                "who_improves": a.provider_lead,
                "who_monitors": str(a.council_monitor),
                "by_when": in_words(a.due_on),
                "status": a.get_status_display(),
            }
            for a in actions
        ],
    }


def provider_facts(provider: Provider | None) -> dict:
    if provider is None:
        return {}
    return {
        "name": provider.name,
        "nominated_individual": provider.nominated_individual,
        "address": address_lines(provider.address, provider.postcode),
    }


def letter_data(letter: Letter, *, letters: Letters, template: LetterTemplate, today=None) -> dict:
    head = letters.letterhead
    issuer_post = template.signatory
    location = location_facts(letter.location)
    provider = provider_facts(letter.provider)
    replaced = letter.replaces
    subject_name = location.get("name") or (
        f"{provider.get('name', '')} (all services)" if provider else ""
    )
    return {
        "council": {
            "name": head.name,
            "department": head.department,
            "address": list(head.address),
            "phone": head.phone,
            "email": head.email,
            "website": head.website,
        },
        "letter": {
            "kind": letter.kind,
            "title": letter.title,
            "seed": letter.seed,
            "reference": letter.reference,
            "date": in_words(letter.dated or today),
            "version": letter.version,
            "replaces_reference": replaced.reference if replaced else "",
            "replaces_date": in_words(replaced.dated) if replaced else "",
            "confidential": template.confidential,
            "confirm_receipt": template.confirm_receipt,
            "copies": list(template.copies),
            "enclosures": list(template.enclosures),
            "note": letter.note,
        },
        "to": {
            "name": letter.addressee_name,
            "role": letter.addressee_role,
            "organisation": letter.addressee_organisation,
            "address": letter.address_lines,
            "email": letter.email,
            "salutation": letter.addressee_name or "Sir or Madam",
        },
        "please_ask_for": person(letter.please_ask_for),
        "signatory": person(letter.signatory, issuer_post),
        "case": {"reference": letter.case_reference},
        "provider": provider,
        "location": location,
        "plan": plan_facts(letter.council, letter.location),
        "subject_name": subject_name,
        "facts": letter.facts,
    }

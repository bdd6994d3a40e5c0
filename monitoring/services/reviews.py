"""Writes for reviews and visits: planned (a self-certification is sent, its return due in
the pack's time, 004 8.1), recorded (the report due, 004 9.1; the next review due, 003 1.13)
and the report sent."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.actors import actor_label, require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.limits import date_problem, years_ahead
from core.timers import timer_start, timers_meet
from core.workdays import add_months, due_date
from councils.models import Council
from councils.policy import policy_of
from councils.selectors import is_member_of
from monitoring import events
from monitoring.models import Commissioning, Rag, Review, ReviewStatus, RiskRating
from monitoring.pack import ReviewType, review_rules
from monitoring.selectors.commissioning import market_position
from monitoring.services.risk import risk_recompute_later
from providers.models import Location, RatingValue

# The time limits a review keeps (core.Timer kinds).
REVIEW_HELD = "monitoring.review_held"
SELF_CERTIFICATION = "monitoring.self_certification"
REPORT_SENT = "monitoring.report_sent"
NEXT_REVIEW = "monitoring.next_review"

RATED = (
    RatingValue.OUTSTANDING,
    RatingValue.GOOD,
    RatingValue.REQUIRES_IMPROVEMENT,
    RatingValue.INADEQUATE,
)


def _review_type(council: Council, kind: str) -> ReviewType | None:
    return review_rules(council).types.get(kind)


def _check_officers(council: Council, officers, errors: dict) -> None:
    for officer in officers or []:
        if not is_member_of(council, officer):
            errors["officers"] = ["Each officer must work for this council."]


@transaction.atomic
def review_plan(
    *,
    council: Council,
    location: Location,
    actor,
    kind: str,
    planned_for: dt.date,
    officers=(),
    announced: bool = True,
) -> Review:
    """Plan a review or visit. A self-certification is sent rather than visited: its return
    falls due in the pack's time (004 8.1: "within 14 working days")."""
    require(actor, "monitoring.change_monitoring", council)
    errors: dict[str, list[str]] = {}
    kind_def = _review_type(council, kind)
    if kind_def is None:
        errors["kind"] = ["Choose a kind of review from this council's list."]
    elif not announced and not kind_def.may_be_unannounced:
        # 002 5.3.3: "Reactive visits are the only visits undertaken on an unannounced basis."
        errors["announced"] = [f"A {kind_def.label.lower()} is always announced."]
    if not isinstance(planned_for, dt.date):
        errors["planned_for"] = ["Enter the date planned."]
    elif problem := date_problem(planned_for, latest=years_ahead(timezone.localdate(), 5)):
        errors["planned_for"] = [problem]
    _check_officers(council, officers, errors)
    if errors:
        raise ValidationFailed("The review could not be planned.", errors=errors)
    review = Review.objects.create(
        council=council,
        location=location,
        kind=kind,
        planned_for=planned_for,
        announced=announced,
        created_by_label=actor_label(actor),
    )
    review.officers.set(officers)
    within = review_rules(council).self_certification_within
    if kind_def.self_certification and within:
        review.self_certification_due_on = due_date(
            planned_for,
            amount=within.amount,
            unit=within.unit,
            calendar=policy_of(council).calendar,
        )
        review.save(update_fields=["self_certification_due_on"])
    owner = next(iter(officers), None) or (actor if getattr(actor, "pk", None) else None)
    timer_start(
        council=council,
        kind=REVIEW_HELD,
        subject=review,
        due_on=planned_for,
        label=f"{kind_def.label} of {location}",
        seed=kind_def.seed,
        owner=owner,
    )
    if review.self_certification_due_on:
        timer_start(
            council=council,
            kind=SELF_CERTIFICATION,
            subject=review,
            due_on=review.self_certification_due_on,
            label=f"Self-certification returned by {location}",
            seed=within.seed,
            owner=owner,
        )
    audit_record(
        council=council,
        actor=actor,
        action="review.planned",
        summary=f"{kind_def.label} of {location} planned for {planned_for:%d %b %Y}",
        obj=review,
    )
    return review


def next_review(*, council: Council, location: Location, after: dt.date) -> tuple[dt.date, str]:
    """When the next review falls due, and why (003 1.13: "Where there is a Good or above CQC
    rating with positive feedback ... within a 24-month period"; market risk yearly; concerns
    sooner)."""
    freq = review_rules(council).frequency
    rating = RiskRating.objects.filter(council=council, location=location).first()
    commissioning = Commissioning.objects.filter(council=council, location=location).first()
    market_risk = bool(
        commissioning and market_position(council=council, commissioning=commissioning).market_risk
    )
    good = location.overall_rating in (RatingValue.GOOD, RatingValue.OUTSTANDING)
    positive = rating is None or rating.rag == Rag.GREEN
    if market_risk:
        months, why = freq.market_risk, "a market risk provider"
    elif good and positive:
        months, why = freq.good, "rated Good or better with no concerns"
    else:
        months, why = freq.concerns, "below Good or with concerns"
    return add_months(after, months), f"{months} months: {why} ({freq.seed})"


@transaction.atomic
def review_record(
    *,
    review: Review,
    actor,
    visited_on: dt.date,
    officers=(),
    announced: bool = True,
    findings: str = "",
    evidence_seen: str = "",
    people_spoken_to: str = "",
    rating: str = "",
) -> Review:
    """Record what the review found. The report falls due (004 9.1: "typed and sent within 10
    days") and so does the next review."""
    require(actor, "monitoring.change_monitoring", review.council)
    errors: dict[str, list[str]] = {}
    if review.status != ReviewStatus.PLANNED:
        raise Conflict(
            f"This review is {review.get_status_display().lower()}: it cannot be recorded again."
        )
    if not isinstance(visited_on, dt.date):
        errors["visited_on"] = ["Enter the date of the review."]
    elif visited_on > timezone.localdate():
        errors["visited_on"] = ["The date of the review must be today or in the past."]
    kind_def = _review_type(review.council, review.kind) or ReviewType(review.kind, "review")
    if not announced and not kind_def.may_be_unannounced:
        errors["announced"] = [f"A {kind_def.label.lower()} is always announced."]
    if not (findings or "").strip():
        errors["findings"] = ["Record what the review found."]
    rating = (rating or "").strip()
    if rating and not kind_def.rated:
        errors["rating"] = [f"A {kind_def.label.lower()} is not rated."]
    elif rating and rating not in RATED:
        errors["rating"] = ["Choose Outstanding, Good, Requires improvement or Inadequate."]
    elif kind_def.rated and not rating:
        errors["rating"] = [f"Give the {kind_def.label} rating."]
    _check_officers(review.council, officers, errors)
    if errors:
        raise ValidationFailed("The review could not be recorded.", errors=errors)
    council = review.council
    review.status, review.visited_on, review.announced = (
        ReviewStatus.COMPLETED,
        visited_on,
        announced,
    )
    review.findings, review.evidence_seen = findings.strip(), evidence_seen.strip()
    review.people_spoken_to = people_spoken_to.strip()
    review.rating = rating
    within = review_rules(council).report_within
    if within:
        review.report_due_on = due_date(
            visited_on,
            amount=within.amount,
            unit=within.unit,
            calendar=policy_of(council).calendar,
        )
    review.next_due_on, review.next_due_reason = next_review(
        council=council, location=review.location, after=visited_on
    )
    review.save()
    owner = next(iter(officers), None) or (actor if getattr(actor, "pk", None) else None)
    held = f"held on {visited_on:%-d %B %Y}"
    timers_meet(
        council=council, subject=review, kinds=[REVIEW_HELD, SELF_CERTIFICATION], outcome=held
    )
    # The next review the pack asks for (003 1.13: a contract visit within 24 months) is met
    # by whichever review of the location is held next.
    timers_meet(council=council, subject=review.location, kinds=[NEXT_REVIEW], outcome=held)
    if review.report_due_on:
        timer_start(
            council=council,
            kind=REPORT_SENT,
            subject=review,
            due_on=review.report_due_on,
            label=f"Report of the review of {review.location} sent to the provider",
            seed=within.seed,
            owner=owner,
        )
    timer_start(
        council=council,
        kind=NEXT_REVIEW,
        subject=review.location,
        due_on=review.next_due_on,
        starts_on=visited_on,
        label=f"Next review of {review.location} ({review.next_due_reason})",
        seed=review_rules(council).frequency.seed,
        cause=f"review:{review.pk}",
        owner=owner,
    )
    risk_recompute_later(council=council, location=review.location)  # "review overdue" ends
    # 001 App. 2: a rated assessment (PAMMS) may start a clock; concerns listens.
    events.review_recorded.publish(council_id=council.pk, review_id=review.pk, rating=rating)
    if officers:
        review.officers.set(officers)
    audit_record(
        council=council,
        actor=actor,
        action="review.recorded",
        summary=f"{review_rules(council).label(review.kind)} of {review.location} recorded",
        obj=review,
    )
    return review


@transaction.atomic
def review_report_sent(*, review: Review, actor, sent_on: dt.date) -> Review:
    require(actor, "monitoring.change_monitoring", review.council)
    if review.status != ReviewStatus.COMPLETED:
        raise Conflict("Record the review before sending its report.")
    if sent_on > timezone.localdate() or sent_on < review.visited_on:
        raise ValidationFailed(
            "", errors={"sent_on": ["The report is sent after the review and not in the future."]}
        )
    review.report_sent_on = sent_on
    review.save(update_fields=["report_sent_on", "updated_at"])
    timers_meet(
        council=review.council,
        subject=review,
        kinds=[REPORT_SENT],
        outcome=f"sent on {sent_on:%-d %B %Y}",
    )
    audit_record(
        council=review.council,
        actor=actor,
        action="review.report_sent",
        summary=f"Report of the review of {review.location} sent",
        obj=review,
    )
    return review

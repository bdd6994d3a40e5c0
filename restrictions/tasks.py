"""Tasks take ids, re-enter the council's scope (`CouncilTask`) and call one service; each is
safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from core.audit import audit_record
from core.models import AuditEntry
from core.tasks import CouncilTask
from restrictions.models import ListIssue
from restrictions.selectors.lists import issue_csv
from restrictions.services.proposals import restriction_suggest_from_alert
from restrictions.services.sharing import (
    shared_restriction_received,
    shared_restrictions_received_for,
)

log = logging.getLogger(__name__)


@shared_task(
    base=CouncilTask,
    name="restrictions.shared_received",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def shared_received(council, restriction_id: int, level: str) -> int:
    return shared_restriction_received(council=council, restriction_id=restriction_id, level=level)


@shared_task(base=CouncilTask, name="restrictions.shared_for_location")
def shared_for_location(council, location_id: int) -> int:
    return shared_restrictions_received_for(council=council, location_id=location_id)


@shared_task(base=CouncilTask, name="restrictions.suggest_from_alert")
def suggest_from_alert(council, alert_id: int) -> None:
    restriction_suggest_from_alert(council=council, alert_id=alert_id)


@shared_task(base=CouncilTask, name="restrictions.list_circulate")
def list_circulate(council, issue_id: int) -> int:
    """Email the issue to its recipients with the CSV attached (004 19.3: "circulated by the
    CQT by email"). Once per issue: a run that finds it circulated does nothing."""
    issue = ListIssue.objects.get(pk=issue_id)
    if AuditEntry.objects.filter(
        council=council, action="list.circulated", object_id=str(issue.pk)
    ).exists():
        return 0
    to = sorted({r["email"] for r in issue.recipients if r.get("email")})
    if to:
        marking = issue.content.get("marking") or ""
        link = settings.SITE_URL.rstrip("/") + reverse("list-issue", args=[issue.pk])
        message = EmailMessage(
            subject=f"{marking + ': ' if marking else ''}{issue.title} no. {issue.number}, "
            f"{issue.issued_on:%-d %B %Y}",
            body=(
                f"{issue.title}, issued {issue.issued_on:%-d %B %Y} by {issue.issued_by_label}.\n\n"
                f"{marking}\n\nSee it in Oversight: {link}\n"
            ),
            to=to,
        )
        message.attach(f"{issue.reference}.csv", issue_csv(issue), "text/csv")
        message.send()
    audit_record(
        council=council,
        actor=None,
        action="list.circulated",
        summary=f"{issue.title} no. {issue.number} emailed to {len(to)} recipients",
        obj=issue,
        data={
            "to": to,
            "without_email": [r["label"] for r in issue.recipients if not r.get("email")],
        },
    )
    return len(to)

"""Issuing a list: a dated snapshot of the restrictions in place, in the council's sections and
areas, with those removed since the previous issue where the list has that section (003 memo:
"GREEN ... restrictions have been removed since the last published list"), kept as issued and
circulated by email to the pack's distribution (004 19.3: "circulated by the CQT by email to
service managers")."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import actor_label, person_of, require
from core.audit import audit_record
from core.errors import Conflict, NotFound
from core.references import next_reference
from councils.models import Membership
from restrictions import events
from restrictions.models import ListIssue
from restrictions.pack import Restrictions
from restrictions.selectors.lists import list_content


@transaction.atomic
def list_issue(*, council, actor, list_key: str) -> ListIssue:
    """Issue the list now: what it shows is fixed at this moment."""
    pack = Restrictions.of(council)
    ldef = pack.list_def(list_key)
    if ldef is None:
        raise NotFound("The council's policy has no such list.")
    require(actor, "restrictions.issue_list", council, "You may not issue lists here.")
    previous = (
        ListIssue.objects.filter(council=council, list_key=list_key).order_by("-number").first()
    )
    today = timezone.localdate()
    content, keys = list_content(council=council, pack=pack, ldef=ldef, previous=previous, on=today)
    emails = (
        Membership.objects.filter(council=council, role__in=ldef.roles, is_active=True)
        .exclude(user__email="")
        .values_list("user__first_name", "user__last_name", "user__email")
        .distinct()
    )
    recipients = [
        {"label": f"{first} {last}".strip() or email, "email": email}
        for first, last, email in emails
    ] + [{"label": r.label, "email": r.email} for r in ldef.recipients]
    issue = ListIssue(
        council=council,
        list_key=list_key,
        number=(previous.number + 1) if previous else 1,
        reference=next_reference(council=council, model=ListIssue, prefix="LIST"),
        title=ldef.title,
        issued_on=today,
        issued_by=person_of(actor),
        issued_by_label=actor_label(actor),
        content=content,
        keys=keys,
        recipients=recipients,
        policy_version=council.active_policy,
    )
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError as exc:
        raise Conflict("Someone issued this list at the same moment: look again.") from exc
    audit_record(
        council=council,
        actor=actor,
        action="list.issued",
        summary=f"{ldef.title} no. {issue.number} issued ({len(keys)} listed)",
        obj=issue,
    )
    events.list_issued.publish(council_id=council.pk, issue_id=issue.pk)
    return issue

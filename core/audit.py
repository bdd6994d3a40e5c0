"""Writing the audit log. Every service that changes something a council relies on calls this."""

from typing import Any

from django.db import models
from django.urls import reverse

from core.actors import actor_of
from core.models import AuditEntry


def audit_record(
    *,
    council,
    actor: Any,
    action: str,
    summary: str,
    obj: models.Model | None = None,
    reason: str = "",
    data: dict | None = None,
    policy_version=None,
) -> AuditEntry:
    user, label = actor_of(actor)
    if policy_version is None and council is not None:
        policy_version = council.active_policy
    return AuditEntry.objects.create(
        council=council,
        actor=user,
        actor_label=label,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        reason=reason,
        data=data or {},
        policy_version=policy_version,
    )


# The objects audit entries are about, and where each is shown (modelled on pretix's log entry
# types): an app registers its own in `ready()`, so any page can link any app's entries.
OBJECT_PAGES: dict[str, str] = {}


def audit_object_type(object_type: str, url_name: str) -> None:
    """`object_type` (a model's `app_label.model`) is shown at the page `url_name`, which
    takes the object's id."""
    OBJECT_PAGES[object_type] = url_name


def audit_link(entry: AuditEntry) -> str:
    url_name = OBJECT_PAGES.get(entry.object_type)
    return reverse(url_name, args=[entry.object_id]) if url_name and entry.object_id else ""

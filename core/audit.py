"""Writing the audit log. Every service that changes something a council relies on calls this."""

from typing import Any

from django.db import models

from core.models import AuditEntry


def actor_of(actor: Any) -> tuple[Any, str]:
    """(user row or None, label) for a person, an API token user, or the system."""
    if actor is None:
        return None, "System"
    token = getattr(actor, "token", None)
    if token is not None:
        return None, f"API token “{token.name}”"
    if getattr(actor, "is_authenticated", False):
        return actor, actor.get_full_name() or actor.get_username()
    return None, "System"


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

"""Writes for councils: policy versions, areas, people's roles, delegations, API tokens."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.audit import audit_record
from core.errors import NotAllowed, ValidationFailed
from councils.api_auth import hash_key, new_key, tokens_forget
from councils.models import ApiToken, Area, Council, Delegation, Membership, PolicyVersion, Role
from councils.permissions import TOKEN_SCOPES
from councils.policy import parse_pack, policies_forget


@dataclass(frozen=True)
class PolicyLoadResult:
    council: Council
    version: PolicyVersion
    created: bool


@transaction.atomic
def policy_load(*, text: str, source_name: str, actor=None) -> PolicyLoadResult:
    """Validate a pack and store it as the council's next immutable version, making it active.
    Identical content to the active version makes no new version. The council is created the
    first time its pack is loaded; its areas follow the pack."""
    content = parse_pack(text)
    meta = content["council"]
    sha = hashlib.sha256(text.encode()).hexdigest()
    council = Council.objects.select_for_update().filter(code=meta["code"]).first()
    if council is None:
        council = Council.objects.create(
            code=meta["code"], name=meta["name"], short_name=meta.get("short_name", "")
        )
    with scope(council=council):
        active = council.active_policy
        if active is not None and active.content == content:
            return PolicyLoadResult(council=council, version=active, created=False)
        last = PolicyVersion.objects.order_by("-number").first()
        version = PolicyVersion.objects.create(
            council=council,
            number=(last.number + 1) if last else 1,
            content=content,
            source_text=text,
            source_name=source_name,
            sha256=sha,
            loaded_by=actor if getattr(actor, "pk", None) else None,
        )
        council.name = meta["name"]
        council.short_name = meta.get("short_name", "")
        council.active_policy = version
        council.save(update_fields=["name", "short_name", "active_policy"])
        policies_forget()
        _areas_sync(council=council, areas=content["areas"])
        audit_record(
            council=council,
            actor=actor,
            action="policy.loaded",
            summary=f"Policy version {version.number} loaded from {source_name}",
            obj=version,
            data={"sha256": sha, "previous": active.number if active else None},
            policy_version=version,
        )
    return PolicyLoadResult(council=council, version=version, created=True)


def _areas_sync(*, council: Council, areas: list[dict]) -> None:
    wanted = {a["code"]: a["name"] for a in areas}
    existing = {a.code: a for a in Area.objects.all()}
    for code, name in wanted.items():
        area = existing.get(code)
        if area is None:
            Area.objects.create(council=council, code=code, name=name)
        elif area.name != name or not area.is_active:
            area.name, area.is_active = name, True
            area.save(update_fields=["name", "is_active"])
    for code, area in existing.items():
        if code not in wanted and area.is_active:
            area.is_active = False
            area.save(update_fields=["is_active"])


@transaction.atomic
def membership_grant(
    *, council: Council, user, role: str, title: str = "", actor=None
) -> Membership:
    if role not in Role.values:
        raise ValidationFailed("Unknown role.", errors={"role": [f"{role!r} is not a role"]})
    with scopes_disabled():
        membership, created = Membership.objects.get_or_create(
            council=council, user=user, role=role, defaults={"title": title}
        )
        if not created and (membership.title != title or not membership.is_active):
            membership.title, membership.is_active = title, True
            membership.save(update_fields=["title", "is_active"])
    if created:
        audit_record(
            council=council,
            actor=actor,
            action="membership.granted",
            summary=f"{user} given the role {membership.get_role_display()}",
            obj=membership,
        )
    return membership


@transaction.atomic
def delegation_create(
    *,
    council: Council,
    delegator: Membership,
    delegate,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str = "",
    actor,
) -> Delegation:
    """A decision maker names who stands in for them, and when (000 4; 004 21.3)."""
    errors: dict[str, list[str]] = {}
    if delegator.council_id != council.pk or delegator.role != Role.DECISION_MAKER:
        errors["delegator"] = ["Only a decision maker of this council can delegate."]
    if ends_on < starts_on:
        errors["ends_on"] = ["The end date must be on or after the start date."]
    if delegate.pk == delegator.user_id:
        errors["delegate"] = ["A decision maker cannot delegate to themselves."]
    elif not Membership.objects.filter(council=council, user=delegate, is_active=True).exists():
        errors["delegate"] = ["The delegate must be a member of this council."]
    if errors:
        raise ValidationFailed("The delegation could not be saved.", errors=errors)
    if getattr(actor, "pk", None) != delegator.user_id and not actor.has_perm(
        "councils.load_policy", council
    ):
        raise NotAllowed("Only the decision maker or a council admin can name their delegate.")
    delegation = Delegation.objects.create(
        council=council,
        delegator=delegator,
        delegate=delegate,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
    )
    audit_record(
        council=council,
        actor=actor,
        action="delegation.created",
        summary=(
            f"{delegate} stands in for {delegator.title or delegator.user} "
            f"from {starts_on:%d %b %Y} to {ends_on:%d %b %Y}"
        ),
        reason=reason,
        obj=delegation,
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, actor) -> Delegation:
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit_record(
            council=delegation.council,
            actor=actor,
            action="delegation.revoked",
            summary=f"Delegation to {delegation.delegate} revoked",
            obj=delegation,
        )
    return delegation


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        transaction.on_commit(tokens_forget)
        audit_record(
            council=token.council,
            actor=actor,
            action="token.revoked",
            summary=f"API token “{token.name}” revoked",
            obj=token,
        )
    return token


@transaction.atomic
def token_create(
    *, council: Council, name: str, scopes: list[str], actor=None
) -> tuple[ApiToken, str]:
    """A new token for another council system. The key is returned once and never stored."""
    unknown = sorted(set(scopes) - TOKEN_SCOPES.keys())
    errors = {}
    if unknown:
        errors["scopes"] = [f"Unknown scope: {s}" for s in unknown]
    if not scopes:
        errors["scopes"] = ["Give the token at least one scope."]
    if not name.strip():
        errors["name"] = ["Enter a name for the token."]
    if errors:
        raise ValidationFailed("The token could not be created.", errors=errors)
    prefix, key = new_key()
    token = ApiToken.objects.create(
        council=council,
        name=name.strip(),
        prefix=prefix,
        key_hash=hash_key(key),
        scopes=sorted(set(scopes)),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        council=council,
        actor=actor,
        action="token.created",
        summary=f"API token “{token.name}” created with scopes {', '.join(token.scopes)}",
        obj=token,
    )
    return token, key

"""Who acts: a person, another council system's token, or the system itself (None). Every
service takes an `actor` and uses these to label it and to check its permission."""

from typing import Any

from core.errors import NotAllowed


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


def actor_label(actor: Any) -> str:
    return actor_of(actor)[1]


def person_of(actor: Any):
    """The user row of a person (None for the system or an API token)."""
    return actor_of(actor)[0]


def require(actor: Any, perm: str, target, message: str = "") -> None:
    """Services check permission themselves (pages and the API check too, first): a person
    or a token needs `perm` on the target (its council); the system (None) may."""
    if actor is None:
        return
    if not actor.has_perm(perm, target):
        raise NotAllowed(message or "You may not do this for this council.")

"""Sign-in throttling (django-axes locks a username at an address after too many wrong
passwords): each lockout is written to the audit log."""

from __future__ import annotations

from core.audit import audit_record


def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    """Subscribed to `axes.signals.user_locked_out`."""
    audit_record(
        council=None,
        actor=None,
        action="signin.locked_out",
        summary=f"Sign-in locked for “{username}” from {ip_address} after too many wrong passwords",
        data={"username": str(username)[:150], "address": str(ip_address)},
    )

"""Loaded by rules' autodiscovery: registers the permissions defined in councils.permissions."""

import councils.permissions  # noqa: F401

from pathlib import Path

from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "decisions"
    verbose_name = "Recommendations and decisions"

    def ready(self):
        from councils.policy import PackPart, pack_part
        from decisions import (
            panels,
            permissions,  # noqa: F401  (its rules)
        )

        # Its part of the pack schema: `$defs/approval` and `$defs/question`, for any section.
        pack_part(PackPart(name="decisions", schema=Path(__file__).with_name("pack_schema.json")))
        panels.register()

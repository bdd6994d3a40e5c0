from pathlib import Path

from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "decisions"
    verbose_name = "Recommendations and decisions"

    def ready(self):
        from councils.policy import PackPart, pack_part
        from decisions import (
            events,
            panels,
            permissions,  # noqa: F401  (its rules)
            telling,
        )

        # Its part of the pack schema: `$defs/approval` and `$defs/question`, for any section.
        pack_part(PackPart(name="decisions", schema=Path(__file__).with_name("pack_schema.json")))
        panels.register()
        events.recommendation_made.connect(telling.waiting_told)
        events.step_taken.connect(telling.waiting_told)

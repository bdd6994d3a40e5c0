from django.apps import AppConfig


class NoticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notices"
    verbose_name = "Letters"

    def ready(self):
        from core import extensions
        from core.letters import letter_request_met, letter_requested
        from councils.policy import pack_part
        from notices import (
            demo,
            events,
            panels,
            permissions,  # noqa: F401  (its rules and token scopes)
            tasks,
        )
        from notices.pack import PART

        pack_part(PART)
        panels.register()
        letter_requested.connect(tasks.letter_requested)
        letter_request_met.connect(tasks.letter_request_met)
        events.letter_issued.connect(tasks.letter_issued)
        tasks.hooks_connect()
        extensions.demo.register(
            extensions.DemoStep("notices", demo.load, refresh=demo.refresh, order=60)
        )

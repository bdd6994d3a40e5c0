from django.apps import AppConfig


class RestrictionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "restrictions"
    verbose_name = "Restrictions on placements"

    def ready(self):
        from concerns import events as concerns_events
        from core import extensions
        from councils.policy import pack_part
        from monitoring import events as monitoring_events
        from restrictions import (
            demo,
            events,
            kinds,
            letters,  # noqa: F401  (its letter source)
            panels,
            permissions,  # noqa: F401  (its rules and token scopes)
            subscribers,
            timers,  # noqa: F401  (registers its timer handlers)
        )
        from restrictions.pack import PART

        pack_part(PART)
        kinds.register()
        panels.register()
        concerns_events.alert_raised.connect(subscribers.alert_raised)
        events.restriction_shared.connect(subscribers.restriction_shared)
        events.list_issued.connect(subscribers.list_issued)
        monitoring_events.commissioning_saved.connect(subscribers.commissioning_saved)
        extensions.demo.register(extensions.DemoStep("restrictions", demo.load, order=40))

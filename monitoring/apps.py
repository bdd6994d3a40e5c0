from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring: commissioning and intelligence"

    def ready(self):
        from core import extensions
        from councils.policy import pack_part
        from monitoring import (
            demo,
            panels,
            permissions,  # noqa: F401  (its rules and token scopes)
            tasks,
            timers,
        )
        from monitoring.pack import PART
        from providers import events as register_events

        pack_part(PART)
        panels.register()
        from monitoring.brief import monitoring_rows

        extensions.decision_brief.register(
            extensions.BriefSource(
                "monitoring", monitoring_rows, "monitoring.view_intelligence", 20
            )
        )
        timers.register()
        register_events.ratings_changed.connect(tasks.ratings_changed)
        extensions.demo.register(extensions.DemoStep("monitoring", demo.load, order=20))

from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "concerns"
    verbose_name = "Escalation cases"

    def ready(self):
        from concerns import (
            demo,
            events,
            kinds,
            letters,  # noqa: F401  (its letter source)
            panels,
            permissions,  # noqa: F401  (its rules and token scopes)
            services,  # noqa: F401  (registers the effects it carries out)
            subscribers,
            timers,  # noqa: F401  (registers its timer handlers)
        )
        from concerns.pack import PART
        from core import extensions
        from councils.policy import pack_part
        from monitoring import events as monitoring_events

        pack_part(PART)
        kinds.register()
        panels.register()
        from concerns.brief import concern_rows

        extensions.decision_brief.register(
            extensions.BriefSource("concerns", concern_rows, "concerns.view_case", 30)
        )
        monitoring_events.rating_change_logged.connect(subscribers.rating_change_logged)
        monitoring_events.review_recorded.connect(subscribers.review_recorded)
        monitoring_events.plan_reviewed.connect(subscribers.plan_reviewed)
        events.safeguarding_opened.connect(subscribers.safeguarding_opened)
        extensions.demo.register(extensions.DemoStep("concerns", demo.load, order=30))

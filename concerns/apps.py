from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "concerns"
    verbose_name = "Escalation cases and decisions"

    def ready(self):
        # Registers the timer handlers this app keeps.
        import concerns.rules  # noqa: F401
        import concerns.timers  # noqa: F401

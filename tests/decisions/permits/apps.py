from django.apps import AppConfig


class PermitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tests.decisions.permits"
    label = "permits"
    verbose_name = "Permits (a test-only subject kind)"

    def ready(self):
        from tests.decisions.permits.kind import register

        register()

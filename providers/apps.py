from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Providers and the national register"

    def ready(self):
        from core import extensions
        from providers import (
            demo,
            panels,
            permissions,  # noqa: F401  (its rules and token scopes)
        )

        panels.register()
        from providers.brief import rating_rows

        extensions.decision_brief.register(
            extensions.BriefSource("providers", rating_rows, "providers.view_register", 10)
        )
        extensions.demo.register(extensions.DemoStep("providers", demo.load, order=10))

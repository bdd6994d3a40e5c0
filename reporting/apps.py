from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Reports that read every other app and write nothing (issue 13)."""

    name = "reporting"
    verbose_name = "Reports"

    def ready(self):
        from core import extensions
        from core.extensions import NavEntry
        from councils.policy import pack_part
        from reporting import permissions  # noqa: F401  (its rules and token scope)
        from reporting.pack import PART

        pack_part(PART)
        extensions.navigation.register(
            NavEntry(
                "reports", "Reports", "report-index", "reporting.view", 58, sections=("/reports/",)
            )
        )

from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "Councils"

    def ready(self):
        import councils.schema  # noqa: F401  (registers the OpenAPI auth extension)

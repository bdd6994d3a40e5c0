from pathlib import Path

from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "Councils"

    def ready(self):
        from axes.signals import user_locked_out

        from core import extensions, tenancy
        from core.notify import PEOPLE
        from core.timers import WARNING
        from councils import (
            demo,
            panels,
            permissions,  # noqa: F401  (its rules and token scopes)
            schema,  # noqa: F401  (the OpenAPI auth extension)
            signin,
        )
        from councils.people import managers_of, warn_on
        from councils.policy import PackPart, check_councils_part, pack_part
        from councils.tenancy import councils_of

        user_locked_out.connect(signin.locked_out, dispatch_uid="councils.locked_out")
        tenancy.councils_resolver(councils_of)
        WARNING.day = warn_on
        PEOPLE.managers = managers_of
        pack_part(
            PackPart(
                name="councils",
                schema=Path(__file__).with_name("pack_schema.json"),
                check=check_councils_part,
            )
        )
        panels.register()
        extensions.demo.register(
            extensions.DemoStep(
                "councils", demo.load, loaded=demo.loaded, refresh=demo.refresh, order=0
            )
        )

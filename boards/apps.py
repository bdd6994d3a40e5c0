from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards and meetings"

    def ready(self):
        from boards import (
            demo,
            letters,  # noqa: F401  (its letter source)
            panels,
            permissions,  # noqa: F401  (its rules and token scope)
            timers,
        )
        from boards.decider import BoardMeetingDecider
        from boards.pack import PART
        from core import extensions
        from core.extensions import NavEntry
        from councils.policy import pack_part
        from decisions.chain import register_decider

        pack_part(PART)
        register_decider(BoardMeetingDecider(), replace=True)
        timers.register()
        panels.register()
        extensions.demo.register(extensions.DemoStep("boards", demo.load, order=50))
        extensions.navigation.register(
            NavEntry(
                "boards",
                "Boards",
                "board-list",
                "boards.view",
                55,
                sections=("/boards/", "/meetings/"),
            )
        )

from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards and meetings"

    def ready(self):
        from boards import permissions  # noqa: F401  (its rules and token scope)
        from boards.pack import PART
        from core import extensions
        from core.extensions import NavEntry
        from councils.policy import pack_part

        pack_part(PART)
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

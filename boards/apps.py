from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards and meetings"

    def ready(self):
        from boards.pack import PART
        from councils.policy import pack_part

        pack_part(PART)

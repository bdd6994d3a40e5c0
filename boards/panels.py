"""What the boards app adds to other pages: the start page's meetings and actions for the
person (a partner on a board sees only this), and the count of their open actions."""

from django.utils import timezone

from boards import selectors
from boards.models import Action
from core import extensions
from core.extensions import Panel, Waiting


def start_panel(*, request) -> dict | None:
    council = request.council
    if not request.user.has_perm("boards.view", council):
        return None
    mine = selectors.my_meetings(council=council, user=request.user, today=timezone.localdate())
    if not (mine["upcoming"] or mine["actions"]):
        return None
    return {**mine, "upcoming": mine["upcoming"][:5]}


def _open_actions(*, council, user) -> int:
    return Action.objects.filter(council=council, owner=user, done_on__isnull=True).count()


def register() -> None:
    extensions.start_page.register(
        Panel("boards.mine", "boards/panels/start_mine.html", start_panel, 30)
    )
    extensions.waiting.register(
        Waiting(
            "boards.actions",
            ("action from a meeting to see through", "actions from meetings to see through"),
            "my-meetings",
            "boards.view",
            _open_actions,
            nav="boards",
            order=60,
        )
    )

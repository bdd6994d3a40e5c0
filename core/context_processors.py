from core import extensions
from core.tenancy import councils_of


def council(request):
    """The current council, the person's councils, and the navigation entries they may open
    (each app registers its own in `core.extensions.navigation`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if getattr(request, "second_step_owed", False):
        # Signing in is not finished (the authenticator code): nothing to navigate to yet.
        return {"current_council": None, "my_councils": [], "nav": []}
    return {
        "current_council": getattr(request, "council", None),
        "my_councils": councils_of(user),
        "nav": extensions.nav_entries(extensions.navigation, request=request),
    }

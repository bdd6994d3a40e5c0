from core.tenancy import councils_of


def council(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"current_council": getattr(request, "council", None), "my_councils": councils_of(user)}

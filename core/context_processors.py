from core.tenancy import councils_of

NAV_PERMISSIONS = {
    "register": "providers.view_register",
    "imports": "providers.view_imports",
    "intelligence": "monitoring.view_intelligence",
    "risk": "monitoring.view_monitoring",
    "reviews": "monitoring.view_monitoring",
    "cases": "concerns.view_case",
    "requests": "concerns.request_exception",
    "policy": "councils.view_policy",
    "people": "councils.view_people",
}


def council(request):
    """The current council, the person's councils, and which sections they may open (the
    navigation shows only those)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(request, "council", None)
    can = {
        key: current is not None and user.has_perm(perm, current)
        for key, perm in NAV_PERMISSIONS.items()
    }
    return {"current_council": current, "my_councils": councils_of(user), "can": can}

"""Pages: a domain error a view did not handle becomes its HTTP answer here, as the API's
exception handler does for the API (core/api.py): 403, 404, or 409/400 with the message."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render

from core.errors import Conflict, DomainError, NotAllowed, NotFound


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError) and not request.path.startswith("/api/"):
            # A number too large for the database (SQLite) in a page's address or form.
            return render(
                request,
                "core/domain_error.html",
                {"title": "Check the input", "message": "A number given is too large."},
                status=400,
            )
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404(exception.message)
        if isinstance(exception, NotAllowed):
            raise PermissionDenied(exception.message)
        title = "This cannot be done now" if isinstance(exception, Conflict) else "Check the input"
        return render(
            request,
            "core/domain_error.html",
            {"title": title, "message": exception.message, "errors": exception.errors},
            status=exception.status_code,
        )


class PrivateResponsesMiddleware:
    """Nothing personal is kept by a browser or a proxy: `Cache-Control: no-store` on every
    answer to a signed-in person, on the API, attachments and exports; and the
    Permissions-Policy (no camera, microphone, location...)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        private = request.path.startswith("/api/") or bool(user and user.is_authenticated)
        if private and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            response.headers["Cache-Control"] = "no-store"
        return response


class IdleTimeoutMiddleware:
    """A session unused for `SESSION_IDLE_MINUTES` is signed out (the cookie's own age is
    the longest a session lasts). The time seen is written at most once a minute."""

    KEY = "_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(self.KEY, now)
            if now - seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
            elif now - seen >= 60 or self.KEY not in request.session:
                request.session[self.KEY] = now
        return self.get_response(request)


def seen_at_sign_in(sender, request, user, **kwargs) -> None:
    """Subscribed to `user_logged_in`: the session's time seen starts at sign-in, so that the
    first pages after it write nothing more."""
    if hasattr(request, "session"):
        request.session[IdleTimeoutMiddleware.KEY] = int(time.time())


class NulRefusedMiddleware:
    """An address (path or query parameter) holding a NUL character is refused with 400
    before any view: the database cannot store or compare one (PostgreSQL refused a filter
    with 500, issue 11). Bodies are checked by the forms and serializers (Django's and DRF's
    text fields refuse NUL themselves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query or "\x00" in request.path:
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "The address holds a character that cannot be read (NUL).",
                        "code": "invalid",
                    },
                    status=400,
                )
            return HttpResponseBadRequest("The address holds a character that cannot be read.")
        return self.get_response(request)

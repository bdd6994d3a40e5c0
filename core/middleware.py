"""Pages: a domain error a view did not handle becomes its HTTP answer here, as the API's
exception handler does for the API (core/api.py): 403, 404, or 409/400 with the message."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from core.errors import Conflict, DomainError, NotAllowed, NotFound


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
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

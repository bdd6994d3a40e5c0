"""API plumbing shared by every app: the council-scoped base view, pagination and the one
place where domain errors become HTTP responses."""

from contextlib import ExitStack

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django_scopes import scope
from rest_framework import exceptions, pagination, permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message or exc.code, "code": exc.code}
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status_code)
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    return drf_exception_handler(exc, context)


def council_of_request(request):
    """The council an API request acts for: the token's, or the browser session's current one."""
    user = request.user
    token = getattr(user, "token", None)
    if token is not None:
        return token.council
    return getattr(request._request, "council", None)


class CouncilScopedMixin:
    """Every API view: after authentication, scope the rest of the request to the caller's
    council, so that another council's rows are simply not there (404, never in lists)."""

    council_required = True

    def dispatch(self, request, *args, **kwargs):
        self._scope_stack = ExitStack()
        with self._scope_stack:
            response = super().dispatch(request, *args, **kwargs)
            # Render inside the scope: the browsable renderer may query.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    def perform_authentication(self, request):
        super().perform_authentication(request)
        request.council = council_of_request(request)
        if request.council is not None:
            self._scope_stack.enter_context(scope(council=request.council))
        elif self.council_required and request.user and request.user.is_authenticated:
            raise exceptions.PermissionDenied("You are not a member of any council.")


class HasCouncilPermission(permissions.BasePermission):
    """Checks the view's `permission_required` against the caller's council: the same `rules`
    predicates as the pages. A string applies to every request; a dict may name a permission
    per action, else "write" for unsafe methods and "read" (or "default") for the rest."""

    def _perm(self, view):
        required = getattr(view, "permission_required", None)
        if not isinstance(required, dict):
            return required
        action = getattr(view, "action", None) or view.request.method.lower()
        if action in required:
            return required[action]
        if view.request.method not in permissions.SAFE_METHODS and "write" in required:
            return required["write"]
        return required.get("read", required.get("default"))

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        perm = self._perm(view)
        if perm is None:
            return True
        council = getattr(request, "council", None)
        return council is not None and request.user.has_perm(perm, council)

"""API plumbing shared by every app: the council-scoped base view, pagination and the one
place where domain errors become HTTP responses."""

from contextlib import ExitStack

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django_scopes import scope
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, pagination, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from core.limits import plausible_date


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class PlausibleDateField(serializers.DateField):
    """Every date the API takes: between 1 January 1999 and ten years ahead (issue 11). Model
    serializers use it too (`CoreConfig.ready`)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if plausible_date not in self.validators:
            self.validators.append(plausible_date)


class ErrorSerializer(serializers.Serializer):
    """Every error answer: what is wrong, a code, and for 400 the messages by field."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


ERROR_WORDS = {
    400: "Bad input: `errors` names each field and what is wrong with it.",
    401: "Not signed in, or no valid token.",
    403: "Not allowed: the caller's role or token scope does not allow this.",
    404: "Not found (also for another council's object, or a page past the end of a list).",
    409: "Not possible now: the object's state does not allow it.",
}


def error_responses(*codes: int, conflict: str = "") -> dict[int, OpenApiResponse]:
    """The error answers an endpoint documents, for `extend_schema(responses=...)`."""
    out = {}
    for code in codes:
        words = conflict if code == 409 and conflict else ERROR_WORDS[code]
        out[code] = OpenApiResponse(ErrorSerializer, description=words)
    return out


def query_id(request, key: str) -> int | None:
    """A query parameter naming a row by its id: none, or a whole number of at most 18
    digits (a larger one is refused with 400 naming it, never handed to the database)."""
    value = request.query_params.get(key, "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise serializers.ValidationError({key: ["Give the id as a whole number."]})
    return int(value)


def exception_handler(exc, context):
    if isinstance(exc, OverflowError):  # a number too large for the database (SQLite)
        return Response(
            {"detail": "A number in the request is too large.", "code": "invalid"}, status=400
        )
    if isinstance(exc, DomainError):
        body = {"detail": exc.message or exc.code, "code": exc.code}
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status_code)
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    if isinstance(exc, exceptions.ValidationError):
        # One shape for every 400 (issue 11): the serializer's messages by field, under
        # `errors`, as a service's are.
        return Response(
            {"detail": "Check the input.", "code": "invalid", "errors": _by_field(exc.detail)},
            status=400,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        code = "not_found" if isinstance(exc, Http404) else getattr(exc, "default_code", "error")
        response.data.setdefault("code", code)
    return response


def _by_field(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field" or "field.sub" or "field[0]": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _by_field(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out[prefix or "non_field_errors"] = [str(v) for v in detail]
        else:
            for i, value in enumerate(detail):
                for field, messages in _by_field(value, f"{prefix}[{i}]").items():
                    out.setdefault(field, []).extend(messages)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


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

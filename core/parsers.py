"""The API's JSON parser, with limits (issue 11: a body nested 10,000 deep exhausted the
stack; an oversized one was answered with an HTML page). Its own module: DRF's settings
import it while `rest_framework.views` is still loading."""

import json

from django.conf import settings
from rest_framework import exceptions, parsers, status

from core.limits import TEXT_MAX

# No request this API takes nests deeper than this (a placement lookup's ids: 2).
MAX_JSON_DEPTH = 10


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


# No text this API takes is longer (a narrative, a reason: the services keep tighter limits of
# their own; this bounds every field, named or not).
MAX_TEXT = TEXT_MAX


def _walk(value) -> tuple[int, str]:
    """How deeply a parsed JSON value nests, and the path of the first text longer than
    MAX_TEXT ("" when none), iteratively: no recursion to exhaust."""
    deepest, stack, too_long = 0, [(value, 1, "")], ""
    while stack:
        node, level, path = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1, f"{path}.{k}" if path else str(k)) for k, v in node.items())
        elif isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1, f"{path}[{i}]") for i, v in enumerate(node))
        elif isinstance(node, str) and len(node) > MAX_TEXT and not too_long:
            too_long = path or "(body)"
    return deepest, too_long


class BoundedJSONParser(parsers.JSONParser):
    """JSON with limits: at most `API_MAX_BODY_BYTES` (413 in JSON, not an HTML page) and at
    most `MAX_JSON_DEPTH` levels (400; 10,000 levels no longer exhaust the stack)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
        if length.isdigit() and int(length) > limit:
            raise BodyTooLarge(f"The request body is too large: at most {limit:,} bytes.")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(f"The request body is too large: at most {limit:,} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding)) if raw else {}
        except RecursionError as exc:
            raise exceptions.ParseError(
                f"JSON parse error: nested deeper than {MAX_JSON_DEPTH} levels."
            ) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"JSON parse error: {exc}") from exc
        depth, too_long = _walk(data)
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                f"JSON parse error: nested deeper than {MAX_JSON_DEPTH} levels."
            )
        if too_long:
            field = too_long.split(".")[0].split("[")[0]
            raise exceptions.ValidationError(
                {field: [f"Keep it to {MAX_TEXT:,} characters ({too_long} is longer)."]}
            )
        return data

"""The OpenAPI schema documents every error an operation can answer (issue 11, 12): a
postprocessing hook adds, where a view did not say them itself, 401 and 403 to every
operation, 404 to every one on a path with an id, and 400 to every one that takes a body, each
with the one error shape (`core.api.ErrorSerializer`)."""

from __future__ import annotations

from core.api import ERROR_WORDS

REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}


def error_responses_hook(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", ERROR_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = {401, 403}
            if "{" in path:
                codes.add(404)
            if method in ("post", "put", "patch"):
                codes.add(400)
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(
                    str(code),
                    {
                        "description": ERROR_WORDS[code],
                        "content": {"application/json": {"schema": REF}},
                    },
                )
    return result

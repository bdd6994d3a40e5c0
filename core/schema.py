"""The OpenAPI schema documents every error an operation can answer (issue 11, 12): a
postprocessing hook adds, where a view did not say them itself, 401, 403 and 404 to every
operation (a list's 404 is a page past its end), 400 to every one that takes a body or query
parameters, 409 to every write on one object, each with the one error shape
(`core.api.ErrorSerializer`), and 414 for an address longer than the server reads."""

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
            codes = {401, 403, 404}
            takes_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            if method in ("post", "put", "patch") or takes_query:
                codes.add(400)
            if method in ("post", "put", "patch", "delete") and "{" in path:
                codes.add(409)
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(
                    str(code),
                    {
                        "description": ERROR_WORDS[code],
                        "content": {"application/json": {"schema": REF}},
                    },
                )
            responses.setdefault(
                "414",
                {
                    "description": "The address is longer than the server reads (answered by "
                    "the web server, as a short HTML page).",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
            )
    return result

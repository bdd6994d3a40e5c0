"""Domain errors. Services raise these; `core.api.exception_handler` and the views map them
to HTTP in one place: 400 bad input (fields named), 403 not allowed, 404 not found (also for
another council's object), 409 a move that is not open now."""


class DomainError(Exception):
    status_code = 400
    code = "domain_error"

    def __init__(self, message: str = "", *, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(DomainError):
    """Bad input: `errors` maps each field (or path) to its messages."""

    status_code = 400
    code = "invalid"


class NotAllowed(DomainError):
    status_code = 403
    code = "not_allowed"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The object is not in a state where this may happen (an invalid transition)."""

    status_code = 409
    code = "conflict"

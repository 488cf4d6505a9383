"""Domain errors carry a Vietnamese message and the field it is about, for forms, CLI and API."""


class DomainError(Exception):
    """A rule was broken; nothing was written."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return self.message


class ConflictError(DomainError):
    """The item changed since the caller read it (optimistic concurrency)."""

    def __init__(self, message: str):
        super().__init__(message, code="conflict")

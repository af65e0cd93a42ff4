"""Domain errors: a stable machine-readable ``code`` and a message a salesperson understands.

Each door translates them: a message next to the command on a page, a form error in the
admin, a 403 or 409 in the API, a non-zero exit in a command.
"""


class DomainError(Exception):
    code = "business_rule"

    def __init__(self, message: str, *, code: str | None = None, fields: list[str] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or []

    def __str__(self) -> str:
        return self.message


class PermissionRefused(DomainError):
    """The actor's role does not allow the action (HTTP 403)."""

    code = "permission_denied"


class NoActor(PermissionRefused):
    code = "no_actor"


class ReadOnly(DomainError):
    code = "read_only"


class WrongState(DomainError):
    code = "wrong_state"


class SwitchPosition(DomainError):
    code = "switch_position"


class NoLines(DomainError):
    code = "no_lines"


class ComputedFieldWrite(DomainError):
    code = "computed_field"

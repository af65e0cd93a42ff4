"""What every service does: check the actor, lock the row, compare versions, write the fields
it changed past the edit guards, move the state, and leave an audit entry."""

from django.core.exceptions import ValidationError

from orders import lifecycle
from orders.models import AuditEntry
from orders.pricing import apply
from orders.rules import system_write
from settings_app.errors import DomainError, NoActor, PermissionRefused


class PreconditionFailed(DomainError):
    code = "precondition_failed"


def require_actor(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise NoActor("Sign in to change sales documents.")


def require_perm(actor, perm: str, message: str) -> None:
    require_actor(actor)
    if not actor.has_perm(perm):
        raise PermissionRefused(message)


def can_see(actor, document) -> bool:
    return actor.has_perm("orders.view_all_documents") or document.owner_id == actor.pk


def visible_to(actor, queryset, *, owner: str = "owner"):
    """The rows of ``queryset`` that ``can_see`` lets the actor see (``owner`` names the path
    to the document's owner: ``"document__owner"`` for lines)."""
    if actor.has_perm("orders.view_all_documents"):
        return queryset
    return queryset.filter(**{owner: actor.pk})


def require_visible(actor, document) -> None:
    if not can_see(actor, document):
        raise PermissionRefused(
            f"{document.number} belongs to another salesperson.", code="not_visible"
        )


def lock(document):
    """Re-read the document under a row lock (the caller runs in transaction.atomic())."""
    return apply.lock_document(type(document), document.pk)


def check_version(document, expected_version) -> None:
    if expected_version is not None and int(expected_version) != document.version:
        raise PreconditionFailed(
            f"{document.number} was changed by someone else since you opened it; "
            "reload it and try again."
        )


def write(document, *fields: str) -> None:
    """Save the fields a domain step changed (with version and modified), past the edit guards."""
    with system_write():
        document.save(update_fields=[*fields, "version", "modified_on", "modified_by"])


def move(document, *, state: str, status_reason: str | None = None, extra: tuple = ()) -> None:
    """Put the document in ``state`` (with its default status reason unless one is chosen)."""
    document.state = state
    document.status_reason = status_reason or lifecycle.default_status_reason(document.KIND, state)
    write(document, "state", "status_reason", *extra)


def audit(document, *, action: str, actor, from_state: str = "", message: str = "", data=None):
    return AuditEntry.objects.create(
        document_kind=document.KIND,
        document_id=document.pk,
        action=action,
        from_state=from_state,
        to_state=document.state,
        message=message,
        data=data or {},
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def reject_unknown(fields: dict, allowed: set[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))

"""What every service does first: check the actor, lock the row, compare versions, audit."""

from django.core.exceptions import ValidationError

from orders.models import AuditEntry
from orders.pricing import apply
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

"""The hand-over to the back office: submit, the back office's reject, and the order invoiced
by the back office's own invoice (docs/rules.md#transitions).

Submit writes its ``salesorder.submitted`` event (orders.integration.payloads) to the outbox in
the same transaction as the move, so the event exists exactly when the submission does.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from orders.integration import outbox, payloads
from orders.lifecycle import SALES_ORDER
from orders.rules import is_integration_user
from orders.services.common import audit, lock, move
from orders.services.guards import begin
from settings_app.acting import acting_as


def salesorder_submit(*, actor, document, expected_version=None):
    """Active → submitted, only while the switch is on and with lines; the order row is locked
    so no edit by anyone but the integration user lands after this commits. The
    ``salesorder.submitted`` event is written in the same transaction."""
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            SALES_ORDER, "submit", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        document.submitted_on = timezone.now()
        document.submitted_by = actor
        document.submit_status_description = ""
        move(
            document,
            state="submitted",
            status_reason="in_progress",
            extra=("submitted_on", "submitted_by", "submit_status_description"),
        )
        audit(
            document,
            action="submit",
            actor=actor,
            from_state=before,
            message="Submitted to the back office",
        )
        _record_submitted_event(document, actor)
    return document


def _record_submitted_event(order, actor) -> None:
    outbox.record_event(
        type=payloads.SALESORDER_SUBMITTED,
        payload=payloads.salesorder_submitted(order),
        ordering_key=outbox.salesorder_ordering_key(order),
        actor=actor,
    )


def salesorder_reject(*, actor, document, reason: str = "", expected_version=None):
    """The back office cannot take the order: submitted → active/pending with its reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the order is rejected."})
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            SALES_ORDER, "reject", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        document.submit_status_description = reason.strip()
        move(
            document, state="active", status_reason="pending", extra=("submit_status_description",)
        )
        audit(
            document,
            action="reject",
            actor=actor,
            from_state=before,
            message=f"Rejected by the back office: {reason.strip()}",
        )
    return document


def salesorder_mark_invoiced(*, actor, order, invoice) -> None:
    """The back office invoiced a submitted or fulfilled order (called when its integration
    user creates the invoice): the order becomes invoiced. Others' invoices leave it as is."""
    if not is_integration_user(actor):
        return
    order = lock(order)
    if order.state not in {"submitted", "fulfilled"}:
        return
    before = order.state
    move(order, state="invoiced", status_reason="invoiced")
    audit(
        order,
        action="invoiced",
        actor=actor,
        from_state=before,
        message=f"Invoiced by the back office ({invoice.number})",
        data={"invoice": invoice.pk},
    )

"""The hand-over to the back office: submit, cancel, change requests, the back office's reject
and decline, and the order invoiced by the back office's own invoice
(docs/rules.md#transitions, docs/rules.md#change-requests).

Every change made on the back office's side of the line by anyone but the integration user
writes its event (orders.integration.payloads) to the outbox in the same transaction as the
change, so the event exists exactly when the change does: ``salesorder.submitted``,
``salesorder.canceled`` (a submitted order canceled) and ``salesorder.change_requested``. The
outbox writes nothing for the integration user's own changes (no echo).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from orders.integration import outbox, payloads
from orders.lifecycle import SALES_ORDER
from orders.models import ChangeRequest
from orders.models.changes import NOTE_MAX_LENGTH
from orders.rules import is_integration_user
from orders.services.common import audit, lock, move
from orders.services.guards import begin, open_change_request
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
    """The back office cannot take the order: submitted → active/pending with its reason. An
    open change request is answered by it (*returned*): the salesperson can now edit."""
    reason = _text(reason, "reason", "Say why the order is rejected.")
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            SALES_ORDER, "reject", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        document.submit_status_description = reason
        move(
            document, state="active", status_reason="pending", extra=("submit_status_description",)
        )
        answer_change_request(document, before=before, actor=actor)
        audit(
            document,
            action="reject",
            actor=actor,
            from_state=before,
            message=f"Rejected by the back office: {reason}",
        )
    return document


def salesorder_cancel(*, actor, document, expected_version=None):
    """Active or submitted → canceled. A submitted order is the back office's already: the
    ``salesorder.canceled`` event tells it, whoever cancels (page, admin, API, shell) — unless
    it is the integration user itself."""
    with acting_as(actor), transaction.atomic():
        document, transition = begin(
            SALES_ORDER, "cancel", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        move(document, state="canceled", status_reason="no_money")
        answer_change_request(document, before=before, actor=actor)
        audit(
            document,
            action="cancel",
            actor=actor,
            from_state=before,
            message=f"{transition.label} (no_money)",
        )
        if before == "submitted":
            outbox.record_event(
                type=payloads.SALESORDER_CANCELED,
                payload=payloads.salesorder_canceled(document, previous_state=before),
                ordering_key=outbox.salesorder_ordering_key(document),
                actor=actor,
            )
    return document


def salesorder_request_change(*, actor, document, note: str = "", expected_version=None):
    """The owner or a manager asks the back office to change a submitted order. The order
    stays submitted and read-only; the request is open until the back office rejects the order
    or declines the request. One open request per order."""
    note = _text(note, "note", "Say what should change.")
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            SALES_ORDER,
            "request_change",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        request = ChangeRequest.objects.create(order=document, note=note, requested_by=actor)
        audit(
            document,
            action="request_change",
            actor=actor,
            from_state=document.state,
            message=f"Change requested by {actor.get_full_name() or actor.get_username()}: {note}",
            data={"change_request": request.pk},
        )
        outbox.record_event(
            type=payloads.SALESORDER_CHANGE_REQUESTED,
            payload=payloads.salesorder_change_requested(
                document, request, previous_state=document.state
            ),
            ordering_key=outbox.salesorder_ordering_key(document),
            actor=actor,
        )
    return document


def salesorder_decline_change(*, actor, document, reason: str = "", expected_version=None):
    """The back office keeps the order as it is: the open change request is declined with its
    reason; the order stays submitted."""
    reason = _text(reason, "reason", "Say why the change is declined.")
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            SALES_ORDER,
            "decline_change",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        request = open_change_request(document)
        request.state = ChangeRequest.State.DECLINED
        request.decline_reason = reason
        request.answered_on = timezone.now()
        request.answered_by = actor
        request.save(update_fields=["state", "decline_reason", "answered_on", "answered_by"])
        audit(
            document,
            action="decline_change",
            actor=actor,
            from_state=document.state,
            message=f"Change declined by the back office: {reason}",
            data={"change_request": request.pk},
        )
    return document


# How an order's move out of Submitted answers its open change request, by where it went.
ANSWER_BY_STATE = {
    "active": ChangeRequest.State.RETURNED,
    "fulfilled": ChangeRequest.State.FULFILLED,
    "invoiced": ChangeRequest.State.INVOICED,
    "canceled": ChangeRequest.State.CANCELED,
}


def answer_change_request(order, *, before: str, actor) -> None:
    """Called after every move of a sales order out of ``before``: when it left Submitted, its
    open change request, if it has one, is answered by that move (returned, fulfilled,
    invoiced, canceled) and leaves the banner and the home cards."""
    if before != "submitted" or order.state == "submitted":
        return
    ChangeRequest.objects.filter(order_id=order.pk, state=ChangeRequest.State.OPEN).update(
        state=ANSWER_BY_STATE[order.state], answered_on=timezone.now(), answered_by=actor
    )


def _text(value, field: str, missing: str) -> str:
    """A required free text of at most NOTE_MAX_LENGTH characters, stripped."""
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError({field: "Send it as text."})
    if not text:
        raise ValidationError({field: missing})
    if "\x00" in text:  # no database keeps it, and no person types it
        raise ValidationError({field: "Remove the null character from the text."})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {field: f"Keep it to {NOTE_MAX_LENGTH:,} characters (this one has {len(text):,})."}
        )
    return text


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
    answer_change_request(order, before=before, actor=actor)
    audit(
        order,
        action="invoiced",
        actor=actor,
        from_state=before,
        message=f"Invoiced by the back office ({invoice.number})",
        data={"invoice": invoice.pk},
    )

"""Every action of every document, by name (docs/rules.md#transitions).

The simple ones — a state move with maybe a status reason — are made here from their entry in
``TRANSITIONS``; the others live by concern: ``conversions`` (a new document from another),
``handover`` (submit, cancel, change requests, reject, invoiced: the back office's side) and
``recalculation`` (re-pricing and the price lock). ``ACTIONS`` and ``perform`` reach all of
them for doors that dispatch by name. Each runs atomically on the locked document row, through
``guards.begin``, and leaves an audit entry.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from orders.lifecycle import INVOICE, OPPORTUNITY, QUOTE, SALES_ORDER
from orders.models import DOCUMENT_MODELS
from orders.services.common import audit, move
from orders.services.conversions import (
    opportunity_create_quote,
    quote_create_order,
    quote_get_products,
    quote_revise,
    salesorder_create_invoice,
)
from orders.services.guards import TRANSITIONS, Transition, begin
from orders.services.handover import (
    answer_change_request,
    salesorder_cancel,
    salesorder_decline_change,
    salesorder_reject,
    salesorder_request_change,
    salesorder_submit,
)
from orders.services.recalculation import (
    document_lock_pricing,
    document_recalculate,
    document_unlock_pricing,
)
from settings_app.acting import acting_as
from settings_app.errors import WrongState


def _check_reason(transition: Transition, status_reason: str | None) -> str:
    if status_reason not in transition.reasons:
        labels = [reason.replace("_", " ") for reason in transition.reasons]
        raise ValidationError({"status_reason": f"Choose one of: {', '.join(labels)}."})
    return status_reason


def _simple(kind, name, *, state, reason=None, extra_fields=None, then=None):
    """A transition that only moves the state (and maybe a few fields); ``then(document,
    before=…, actor=…)`` runs after the move, in the same transaction."""

    def run(*, actor, document, expected_version=None, status_reason=None, **kwargs):
        with acting_as(actor), transaction.atomic():
            document, transition = begin(
                kind, name, actor=actor, document=document, expected_version=expected_version
            )
            chosen = _check_reason(transition, status_reason) if transition.reasons else reason
            before = document.state
            extra = []
            for attr, value in (extra_fields or {}).items():
                setattr(
                    document, attr, value(document, actor, kwargs) if callable(value) else value
                )
                extra.append(attr)
            move(document, state=state, status_reason=chosen, extra=tuple(extra))
            if then is not None:
                then(document, before=before, actor=actor)
            audit(
                document,
                action=name,
                actor=actor,
                from_state=before,
                message=f"{transition.label}" + (f" ({chosen})" if chosen else ""),
            )
        return document

    run.__name__ = f"{kind}_{name}"
    run.__doc__ = f"{TRANSITIONS[(kind, name)].label}: the guard of TRANSITIONS, then the move."
    return run


opportunity_win = _simple(OPPORTUNITY, "win", state="won", reason="won")
opportunity_lose = _simple(OPPORTUNITY, "lose", state="lost")
opportunity_reopen = _simple(OPPORTUNITY, "reopen", state="open", reason="in_progress")
quote_activate = _simple(QUOTE, "activate", state="active", reason="in_progress")
quote_close = _simple(QUOTE, "close", state="closed")
salesorder_fulfill = _simple(SALES_ORDER, "fulfill", state="fulfilled", then=answer_change_request)
invoice_mark_paid = _simple(INVOICE, "mark_paid", state="paid")
invoice_cancel = _simple(INVOICE, "cancel", state="canceled", reason="canceled")


ACTIONS = {
    (OPPORTUNITY, "create_quote"): opportunity_create_quote,
    (OPPORTUNITY, "win"): opportunity_win,
    (OPPORTUNITY, "lose"): opportunity_lose,
    (OPPORTUNITY, "reopen"): opportunity_reopen,
    (QUOTE, "activate"): quote_activate,
    (QUOTE, "revise"): quote_revise,
    (QUOTE, "close"): quote_close,
    (QUOTE, "create_order"): quote_create_order,
    (QUOTE, "get_products"): quote_get_products,
    (SALES_ORDER, "submit"): salesorder_submit,
    (SALES_ORDER, "create_invoice"): salesorder_create_invoice,
    (SALES_ORDER, "fulfill"): salesorder_fulfill,
    (SALES_ORDER, "cancel"): salesorder_cancel,
    (SALES_ORDER, "reject"): salesorder_reject,
    (SALES_ORDER, "request_change"): salesorder_request_change,
    (SALES_ORDER, "decline_change"): salesorder_decline_change,
    (INVOICE, "mark_paid"): invoice_mark_paid,
    (INVOICE, "cancel"): invoice_cancel,
}
for _kind in DOCUMENT_MODELS:
    ACTIONS[(_kind, "recalculate")] = document_recalculate
for _kind in (SALES_ORDER, INVOICE):
    ACTIONS[(_kind, "lock_pricing")] = document_lock_pricing
    ACTIONS[(_kind, "unlock_pricing")] = document_unlock_pricing


def perform(name: str, *, actor, document, **kwargs):
    """Run the action ``name`` of the document's kind (for doors that dispatch by name)."""
    try:
        action = ACTIONS[(document.KIND, name)]
    except KeyError:
        raise WrongState(
            f"{name!r} is not an action of a {document._meta.verbose_name}.", code="unknown_action"
        ) from None
    return action(actor=actor, document=document, **kwargs)

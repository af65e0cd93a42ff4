"""Services: the functions that write (HackSoft style: <entity>_<verb>, keyword-only, actor=).

documents       create, update and delete documents and their lines
guards          the transition table (TRANSITIONS) and the guard every action runs
transitions     every action by name (ACTIONS, perform) and the simple state moves
conversions     a new document from another: quote, order, invoice, revision, products
handover        submit, cancel, change requests, reject: the order's way to the back office
                and back
recalculation   Recalculate and the price lock
pricing         catalog re-pricing: a price list change reaches open documents
common          what every service does: actor, row lock, version, write, move, audit
"""

from orders.services.conversions import (
    opportunity_create_quote,
    quote_create_order,
    quote_get_products,
    quote_revise,
    salesorder_create_invoice,
)
from orders.services.documents import (
    document_create,
    document_delete,
    document_update,
    line_add,
    line_delete,
    line_update,
)
from orders.services.guards import TRANSITIONS
from orders.services.handover import (
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
from orders.services.transitions import (
    ACTIONS,
    invoice_cancel,
    invoice_mark_paid,
    opportunity_lose,
    opportunity_reopen,
    opportunity_win,
    perform,
    quote_activate,
    quote_close,
    salesorder_fulfill,
)

__all__ = [
    "ACTIONS",
    "TRANSITIONS",
    "document_create",
    "document_delete",
    "document_lock_pricing",
    "document_recalculate",
    "document_unlock_pricing",
    "document_update",
    "invoice_cancel",
    "invoice_mark_paid",
    "line_add",
    "line_delete",
    "line_update",
    "opportunity_create_quote",
    "opportunity_lose",
    "opportunity_reopen",
    "opportunity_win",
    "perform",
    "quote_activate",
    "quote_close",
    "quote_create_order",
    "quote_get_products",
    "quote_revise",
    "salesorder_cancel",
    "salesorder_create_invoice",
    "salesorder_decline_change",
    "salesorder_fulfill",
    "salesorder_reject",
    "salesorder_request_change",
    "salesorder_submit",
]

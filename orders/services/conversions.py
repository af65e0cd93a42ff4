"""Conversions: a new document from another — opportunity → quote → order → invoice, a quote's
revision, and products copied from the opportunity (docs/rules.md#transitions).

Lines are copied in bulk with their agreed price per unit; bulk writes send no signals, so
``copy_lines`` asks the target's create rule of the skip table itself and prices the copies in
a constant number of queries.
"""

from django.db import transaction
from django.db.models import Q

from orders.lifecycle import OPPORTUNITY, QUOTE, SALES_ORDER
from orders.models import LINE_MODELS, ChartStamp, Invoice, Quote, SalesOrder, charts_changed
from orders.models.history import CREATED, record_history
from orders.pricing import apply
from orders.pricing.policy import Operation, decide
from orders.rules import facts_for, system_write
from orders.services.common import audit, move
from orders.services.guards import active_invoice, begin
from settings_app.acting import acting_as
from settings_app.errors import DomainError
from settings_app.models import Organization

_COPIED_HEADER = [
    "name",
    "account_id",
    "account_name",
    "price_list_id",
    "currency_id",
    "owner_id",
    "description",
    "discount_percentage",
    "discount_amount",
    "freight_amount",
]
_COPIED_LINE = [
    "product_id",
    "write_in_product",
    "unit_id",
    "quantity",
    "price_per_unit",
    "is_price_overridden",
    "volume_discount_amount",
    "base_amount",
    "manual_discount_amount",
    "tax",
    "extended_amount",
    "description",
]


def copy_lines(source, target, *, actor, start_at: int = 0) -> None:
    """Copy a document's lines to another in bulk, then price them as the target's create rule
    decides (bulk writes send no signals, so this asks decide() itself)."""
    organization = Organization.load()
    source_lines = list(LINE_MODELS[source.KIND].objects.filter(document=source))
    target_model = LINE_MODELS[target.KIND]
    created = target_model.objects.bulk_create(
        [
            target_model(
                document=target,
                line_number=start_at + index,
                pricing={"copied_from": source.number},
                **{name: getattr(line, name) for name in _COPIED_LINE},
            )
            for index, line in enumerate(source_lines, start=1)
        ]
    )
    record_history(target_model, [line.pk for line in created], actor=actor, history_type=CREATED)
    decision = decide(
        target_model.__name__.lower(), Operation.CREATE, facts_for(target, actor, organization)
    )
    if decision.compute and organization.use_system_pricing:
        # The agreed prices come with the lines; amounts are recomputed for the target.
        apply.recalculate_lines(
            target,
            target_model,
            organization,
            actor=actor,
            decision=decision,
            keep_price=source.number,
        )
        apply.roll_up(target, target_model, actor=actor, decision=decision)
    else:
        note = f"Copied from {source.number}; calculation skipped, values kept as given."
        totals = {
            name: getattr(source, name)
            for name in (
                "total_line_item_amount",
                "total_line_item_discount_amount",
                "total_discount_amount",
                "total_amount_less_freight",
                "total_tax",
                "total_amount",
            )
        }
        type(target).objects.filter(pk=target.pk).update(
            pricing={**decision.as_provenance(), "reason": note}, **totals
        )
        record_history(type(target), [target.pk], actor=actor)
        if isinstance(target, SalesOrder):
            charts_changed(ChartStamp.ORDERS)  # totals written without a save


def _new_from(source, model, *, actor, **fields):
    values = {name: getattr(source, name) for name in _COPIED_HEADER}
    target = model(**values, **fields)
    with system_write():
        target.save()
    copy_lines(source, target, actor=actor)
    target.refresh_from_db()
    return target


def opportunity_create_quote(*, actor, document, expected_version=None):
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            OPPORTUNITY,
            "create_quote",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        quote = _new_from(document, Quote, actor=actor, opportunity=document)
        audit(
            document,
            action="create_quote",
            actor=actor,
            from_state=document.state,
            message=f"Quote {quote.number} created",
            data={"quote": quote.pk},
        )
        audit(quote, action="created", actor=actor, message=f"Created from {document.number}")
    return quote


def quote_get_products(*, actor, document, expected_version=None):
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            QUOTE, "get_products", actor=actor, document=document, expected_version=expected_version
        )
        last = LINE_MODELS[QUOTE].objects.filter(document=document).order_by("-line_number").first()
        copy_lines(
            document.opportunity, document, actor=actor, start_at=last.line_number if last else 0
        )
        audit(
            document,
            action="get_products",
            actor=actor,
            from_state=document.state,
            message=f"Products copied from {document.opportunity.number}",
        )
        document.refresh_from_db()
    return document


def quote_revise(*, actor, document, expected_version=None):
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            QUOTE, "revise", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        base = document.number.split("-R")[0]
        # Revisions of one quote share its base number; the next is one past the highest.
        revision = 1 + max(
            Quote.objects.filter(Q(number=base) | Q(number__startswith=f"{base}-R")).values_list(
                "revision_number", flat=True
            )
        )
        new = _new_from(
            document,
            Quote,
            actor=actor,
            opportunity_id=document.opportunity_id,
            revision_number=revision,
            revised_from=document,
            number=f"{base}-R{revision}",
        )
        if before != "closed":
            move(document, state="closed", status_reason="revised")
        audit(
            document,
            action="revise",
            actor=actor,
            from_state=before,
            message=f"Revised as {new.number}",
            data={"quote": new.pk},
        )
        audit(new, action="created", actor=actor, message=f"Revision {revision} of {base}")
    return new


def quote_create_order(*, actor, document, expected_version=None, close_opportunity=False):
    """Won; a new order with the quote's lines. ``close_opportunity``: also close the quote's
    open opportunity as won, through Close as Won's own guard (all or nothing)."""
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            QUOTE, "create_order", actor=actor, document=document, expected_version=expected_version
        )
        before = document.state
        order = _new_from(
            document,
            SalesOrder,
            actor=actor,
            quote=document,
            opportunity_id=document.opportunity_id,
        )
        move(document, state="won", status_reason="won")
        audit(
            document,
            action="create_order",
            actor=actor,
            from_state=before,
            message=f"Won; order {order.number} created",
            data={"order": order.pk},
        )
        audit(order, action="created", actor=actor, message=f"Created from {document.number}")
        if close_opportunity and document.opportunity_id:
            _win_opportunity(document.opportunity, actor=actor)
    return order


def _win_opportunity(opportunity, *, actor) -> None:
    """Close as Won for the quote's opportunity, unless it is closed already."""
    if opportunity.state != "open":
        return
    opportunity, _ = begin(
        OPPORTUNITY, "win", actor=actor, document=opportunity, expected_version=None
    )
    move(opportunity, state="won", status_reason="won")
    audit(opportunity, action="win", actor=actor, from_state="open", message="Close as Won")


def salesorder_create_invoice(*, actor, document, expected_version=None, confirmed=False):
    """A new invoice with the order's lines. While the order has an invoice that is not
    canceled, a second one is made only when ``confirmed`` (the page asks, naming it; the API
    answers 409 ``invoice_exists`` until the request says ``"confirmed": true``)."""
    with acting_as(actor), transaction.atomic():
        document, _ = begin(
            SALES_ORDER,
            "create_invoice",
            actor=actor,
            document=document,
            expected_version=expected_version,
        )
        existing = active_invoice(document)
        if existing is not None and not confirmed:
            raise DomainError(
                f"{document.number} already has invoice {existing.number} "
                f"({existing.get_state_display().lower()}); confirm to create another one.",
                code="invoice_exists",
            )
        invoice = _new_from(
            document,
            Invoice,
            actor=actor,
            sales_order=document,
            is_price_locked=document.is_price_locked,
        )
        audit(
            document,
            action="create_invoice",
            actor=actor,
            from_state=document.state,
            message=f"Invoice {invoice.number} created",
            data={"invoice": invoice.pk},
        )
        audit(invoice, action="created", actor=actor, message=f"Created from {document.number}")
    return invoice

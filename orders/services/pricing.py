"""Catalog-driven re-pricing: a price list item change reaches open, unlocked documents."""

from orders.models import Invoice, SalesOrder
from orders.services.common import lock
from orders.services.transitions import recalculate


def reprice_documents_for_item(item, *, actor) -> int:
    """Re-price the open, editable, unlocked orders and invoices carrying the item's product.

    The query that finds them is one per kind; each document is re-priced in a constant number
    of queries (its recalculate rule decides whether it is computed).
    """
    count = 0
    for model in (SalesOrder, Invoice):
        documents = model.objects.filter(
            state="active",
            is_price_locked=False,
            price_list_id=item.price_list_id,
            lines__product_id=item.product_id,
        ).distinct()
        for document in documents:
            if recalculate(lock(document), actor=actor, action="catalog_reprice"):
                count += 1
    return count

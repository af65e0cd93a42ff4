"""Catalog-driven re-pricing: a price list item change reaches open, unlocked documents.

The catalog's own save signal arrives here (not in orders.signals, whose receivers sit below
the services and only apply pricing and the rules): re-pricing documents is a service.
``OrdersConfig.ready()`` imports this module, which connects the receiver.
"""

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from orders.models import Invoice, PriceListItem, SalesOrder
from orders.services.common import lock
from orders.services.recalculation import recalculate
from settings_app.acting import current_actor


def repriceable_documents(items, model=None):
    """The open, unlocked orders (or ``model``'s documents) that carry any of ``items`` — pairs
    of (price list id, product id) — and so are re-priced when those items change."""
    carrying = Q()
    for price_list_id, product_id in items:
        carrying |= Q(price_list_id=price_list_id, lines__product_id=product_id)
    if model is None:
        orders = repriceable_documents(items, SalesOrder).values("pk")
        invoices = repriceable_documents(items, Invoice).values("pk")
        return orders.union(invoices, all=True)
    return model.objects.filter(carrying, state="active", is_price_locked=False).distinct()


def reprice_documents_for_item(item, *, actor) -> int:
    """Re-price the open, editable, unlocked orders and invoices carrying the item's product.

    The query that finds them is one per kind; each document is re-priced in a constant number
    of queries (its recalculate rule decides whether it is computed).
    """
    count = 0
    for model in (SalesOrder, Invoice):
        documents = repriceable_documents([(item.price_list_id, item.product_id)], model)
        for document in documents:
            if recalculate(lock(document), actor=actor, action="catalog_reprice"):
                count += 1
    return count


@receiver(post_save, sender=PriceListItem, dispatch_uid="sop_reprice_on_item_change")
def reprice_on_item_change(sender, instance, raw=False, **kwargs):
    """A catalog price change reaches the open, unlocked orders and invoices carrying it."""
    if raw:
        return
    reprice_documents_for_item(instance, actor=current_actor())

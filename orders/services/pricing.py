"""Catalog-driven re-pricing: a price list item change reaches open, unlocked documents.

The catalog's own save signal arrives here (not in orders.signals, whose receivers sit below
the services and only apply pricing and the rules): re-pricing documents is a service.
``OrdersConfig.ready()`` imports this module, which connects the receiver.

A change that re-prices documents shows its impact first (docs/rules.md#catalog-changes):
``pricelistitem_impact`` saves the item for real inside a transaction it rolls back, so the
preview is what confirming does, computed by the same code.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from orders import numbers
from orders.models import LINE_MODELS, Invoice, PriceListItem, PricingMethod, Product, SalesOrder
from orders.pricing import apply, engine
from orders.services.common import lock, require_actor, require_perm
from orders.services.recalculation import recalculate
from settings_app.acting import acting_as, current_actor
from settings_app.models import Organization


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


def _prices_of(document, product_id) -> list[Decimal]:
    return list(
        LINE_MODELS[document.KIND]
        .objects.filter(document_id=document.pk, product_id=product_id)
        .order_by("line_number", "id")
        .values_list("price_per_unit", flat=True)
    )


def _price_words(prices, places: int) -> str:
    return ", ".join(dict.fromkeys(f"{price:,.{places}f}" for price in prices)) or "—"


def reprice_documents_for_item(item, *, actor) -> int:
    """Re-price the open, editable, unlocked orders and invoices carrying the item's product.

    The query that finds them is one per kind; each document is re-priced in a constant number
    of queries (its recalculate rule decides whether it is computed). Each re-priced document's
    audit entry says what changed — the unit price and the total, old → new — and why.
    """
    count = 0
    price_places = Organization.load().pricing_decimal_precision
    why = f"{item.price_list.name}: {item.product.number} {item.product.name} per {item.unit}"
    for model in (SalesOrder, Invoice):
        documents = repriceable_documents([(item.price_list_id, item.product_id)], model)
        for document in documents:
            document = lock(document)
            places = document.currency.precision
            before = (_prices_of(document, item.product_id), document.total_amount)

            def details(document, before=before, places=places):
                return {
                    "catalog": {
                        "item": why,
                        "price_before": _price_words(before[0], price_places),
                        "price_after": _price_words(
                            _prices_of(document, item.product_id), price_places
                        ),
                        "total_before": f"{before[1]:,.{places}f}",
                        "total_after": f"{document.total_amount:,.{places}f}",
                    }
                }

            if recalculate(document, actor=actor, action="catalog_reprice", details=details):
                count += 1
    return count


@receiver(post_save, sender=PriceListItem, dispatch_uid="sop_reprice_on_item_change")
def reprice_on_item_change(sender, instance, raw=False, **kwargs):
    """A catalog price change reaches the open, unlocked orders and invoices carrying it."""
    if raw:
        return
    reprice_documents_for_item(instance, actor=current_actor())


# --- impact first --------------------------------------------------------------------------


@dataclass(frozen=True)
class RepricedDocument:
    kind: str
    pk: int
    number: str
    name: str
    total_before: Decimal
    total_after: Decimal

    @property
    def change(self) -> Decimal:
        return self.total_after - self.total_before


@dataclass(frozen=True)
class RepriceImpact:
    """What saving an item does to open documents: each one's total before and after."""

    documents: tuple[RepricedDocument, ...]
    currency: str
    places: int
    saved: bool = True

    @property
    def count(self) -> int:
        return len(self.documents)

    @property
    def total_change(self) -> Decimal:
        return sum((d.change for d in self.documents), Decimal("0"))

    def words(self) -> str:
        noun = "document" if self.count == 1 else "documents"
        return (
            f"{self.count} {noun} (total change "
            f"{self.total_change:+,.{self.places}f} {self.currency})"
        )

    def summary(self) -> str:
        return f"This re-prices {self.words()}"


class _DryRun(Exception):
    """Leaves the dry run's transaction, rolling it back."""


def _totals(item) -> dict:
    found = {}
    for model in (SalesOrder, Invoice):
        documents = repriceable_documents([(item.price_list_id, item.product_id)], model)
        for pk, number, name, total in documents.values_list(
            "pk", "number", "name", "total_amount"
        ):
            found[(model.KIND, pk)] = (number, name, total)
    return found


@receiver(pre_save, sender=PriceListItem, dispatch_uid="sop_item_price_bound")
def check_item_price(sender, instance, raw=False, **kwargs):
    """At every door: an item never prices a product above the amount limit."""
    if not raw:
        _check_price(instance)


def _check_price(item) -> None:
    """The price an item gives stays below the amount limit (``orders.numbers``)."""
    if not (item.product_id and item.price_list_id):
        return
    organization = Organization.load()
    try:
        price = engine.item_price(
            apply.item_terms(item), precision=organization.pricing_decimal_precision
        )
    except (ValueError, ArithmeticError):
        return  # the model's own validation says what is wrong with the terms
    if price >= numbers.AMOUNT_LIMIT:
        raise ValidationError(
            f"This item would price {item.product.number} at {price:,.2f}: a price must stay "
            f"below {numbers.AMOUNT_LIMIT:,.2f}."
        )


# The product value each derived pricing method reads (a currency amount reads none).
_PRODUCT_VALUE_OF = {
    PricingMethod.PERCENT_OF_LIST: "list_price",
    PricingMethod.MARKUP_CURRENT_COST: "current_cost",
    PricingMethod.MARGIN_CURRENT_COST: "current_cost",
    PricingMethod.MARKUP_STANDARD_COST: "standard_cost",
    PricingMethod.MARGIN_STANDARD_COST: "standard_cost",
}


@receiver(pre_save, sender=Product, dispatch_uid="sop_product_item_prices_bound")
def check_product_item_prices(sender, instance, raw=False, **kwargs):
    """At every door: a product's list price or cost never takes a price a price list item
    derives from it (percent of list, markup, margin) to the amount limit."""
    if not raw and instance.pk:
        check_derived_prices(instance)


def check_derived_prices(product) -> None:
    """Refused (ValidationError by field) when ``product``'s values, saved or not, would take a
    price an item derives from them to the amount limit."""
    items = (
        PriceListItem.objects.filter(product_id=product.pk, pricing_method__in=_PRODUCT_VALUE_OF)
        .select_related("price_list", "unit")
        .order_by("price_list__name", "unit__name", "pk")
    )
    places = Organization.load().pricing_decimal_precision
    errors: dict[str, list[str]] = {}
    for item in items:
        item.product = product  # the values being saved
        try:
            price = engine.item_price(apply.item_terms(item), precision=places)
        except (ValueError, ArithmeticError):
            continue  # the item's own validation says what is wrong with its terms
        if price >= numbers.AMOUNT_LIMIT:
            name = _PRODUCT_VALUE_OF[item.pricing_method]
            label = Product._meta.get_field(name).verbose_name
            method = item.get_pricing_method_display().lower()
            errors.setdefault(name, []).append(
                f"This {label} would take the price of {product.number} on price list "
                f"{item.price_list.name} (per {item.unit.name}, {method}) to {price:,.2f}: "
                f"a price must stay below {numbers.AMOUNT_LIMIT:,.2f}. Change the item first."
            )
    if errors:
        raise ValidationError(errors)


def _save(item) -> RepriceImpact:
    """Save the item (the receivers check its price and re-price) and say what changed; in
    the caller's transaction."""
    before = _totals(item)
    item.save()
    after = _totals(item)
    currency = item.price_list.currency
    documents = tuple(
        document
        for document in (
            RepricedDocument(kind, pk, number, name, total, after.get((kind, pk), (0, 0, total))[2])
            for (kind, pk), (number, name, total) in sorted(before.items(), key=lambda e: e[1][0])
        )
        if document.change  # a document whose total stays is not re-priced in any way it shows
    )
    for document in documents:
        if abs(document.total_after) >= numbers.TOTAL.limit:
            raise ValidationError(f"This would take {document.number}'s total out of bounds.")
    return RepriceImpact(documents=documents, currency=currency.code, places=currency.precision)


def pricelistitem_impact(*, actor, item) -> RepriceImpact:
    """What saving ``item`` (changed, not saved) would re-price — nothing is saved."""
    require_actor(actor)
    adding = item._state.adding
    result = None
    try:
        with acting_as(actor), transaction.atomic():
            result = _save(item)
            raise _DryRun
    except _DryRun:
        pass
    finally:
        if adding:  # the dry run's row is gone: the item is new again
            item.pk = None
            item._state.adding = True
    return result


def pricelistitem_save(*, actor, item, confirmed: bool = False) -> RepriceImpact:
    """Save a price list item's changed terms. When it would re-price open documents and the
    actor has not confirmed, nothing is saved and the impact is returned with ``saved`` off:
    the door shows it and asks. A saved change returns what it re-priced."""
    perm = "orders.change_pricelistitem" if item.pk else "orders.add_pricelistitem"
    require_perm(actor, perm, "Your role cannot change price lists.")
    item.full_clean()
    if not confirmed:
        impact = pricelistitem_impact(actor=actor, item=item)
        if impact.count:
            return replace(impact, saved=False)
    with acting_as(actor), transaction.atomic():
        return _save(item)

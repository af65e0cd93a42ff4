"""Catalog and document factories shared by the orders tests."""

from decimal import Decimal

import factory

from orders.models import (
    Account,
    Currency,
    DiscountBand,
    DiscountList,
    PriceList,
    PriceListItem,
    Product,
    Unit,
    UnitGroup,
)


class CurrencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Currency
        django_get_or_create = ["code"]

    code = "USD"
    name = "US Dollar"
    symbol = "$"
    precision = 2


class UnitGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitGroup
        django_get_or_create = ["name"]

    name = "Default unit"
    base_unit_name = "Each"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ["group", "name"]

    group = factory.SubFactory(UnitGroupFactory)
    name = "Each"
    quantity = Decimal("1")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    number = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    unit_group = factory.SubFactory(UnitGroupFactory)
    default_unit = factory.LazyAttribute(lambda p: UnitFactory(group=p.unit_group))
    list_price = Decimal("100.00")
    current_cost = Decimal("60.00")
    standard_cost = Decimal("50.00")


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"Price list {n}")
    currency = factory.SubFactory(CurrencyFactory)


class DiscountListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscountList

    name = factory.Sequence(lambda n: f"Discounts {n}")
    type = DiscountList.Type.PERCENTAGE


class DiscountBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscountBand

    discount_list = factory.SubFactory(DiscountListFactory)
    from_quantity = Decimal("10")
    to_quantity = Decimal("19")
    value = Decimal("5")


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(ProductFactory)
    unit = factory.LazyAttribute(lambda i: i.product.default_unit)
    pricing_method = "currency_amount"
    amount = Decimal("100.00")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    number = factory.Sequence(lambda n: f"ACC-{n:04d}")
    name = factory.Sequence(lambda n: f"Customer {n}")


def document_with_lines(kind, owner, *, price_list, products=(), quantity=Decimal("1"), **fields):
    """A document made through the services, as a page would make it, with one line per product.

    Returns the document re-read from the database (totals and version as stored).
    """
    from orders.services.documents import document_create, line_add

    fields.setdefault("name", f"{kind} for {owner.get_username()}")
    document = document_create(
        actor=owner, kind=kind, price_list=price_list, currency=price_list.currency, **fields
    )
    for product in products:
        line_add(actor=owner, document=document, product=product, quantity=quantity)
    document.refresh_from_db()
    return document

"""A small catalog and documents made through the services, as the pages would make them."""

from decimal import Decimal

from orders.services.documents import document_create, line_add
from tests.orders.factories import (
    AccountFactory,
    CurrencyFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)

# keyword arguments that make a test-client request look like htmx's
HX = {"headers": {"HX-Request": "true"}}


def build_catalog() -> dict:
    currency = CurrencyFactory()
    price_list = PriceListFactory(name="Retail", currency=currency)
    products = [
        ProductFactory(number=f"P-{n}", name=f"Widget {n}", list_price=Decimal("100"))
        for n in range(3)
    ]
    for n, product in enumerate(products):
        PriceListItemFactory(price_list=price_list, product=product, amount=Decimal(10 * (n + 1)))
    account = AccountFactory(name="Contoso", default_price_list=price_list)
    return {
        "currency": currency,
        "price_list": price_list,
        "products": products,
        "account": account,
    }


def build_document(catalog, kind, owner, *, lines=0, name="Big deal", quantity=Decimal("2")):
    document = document_create(
        actor=owner,
        kind=kind,
        name=name,
        account=catalog["account"],
        price_list=catalog["price_list"],
        currency=catalog["currency"],
    )
    products = catalog["products"]
    for n in range(lines):
        line_add(
            actor=owner, document=document, product=products[n % len(products)], quantity=quantity
        )
    document.refresh_from_db()
    return document

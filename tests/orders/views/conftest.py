"""A small catalog and documents made through the services, as the pages would make them."""

from decimal import Decimal

import pytest

from orders.services.documents import document_create, line_add
from tests.orders.factories import (
    AccountFactory,
    CurrencyFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)


@pytest.fixture
def catalog(db):
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


@pytest.fixture
def make_document(catalog):
    def make(kind, owner, *, lines=0, name="Big deal", quantity=Decimal("2")):
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
                actor=owner,
                document=document,
                product=products[n % len(products)],
                quantity=quantity,
            )
        document.refresh_from_db()
        return document

    return make


def hx(client):
    """Headers that make a request look like htmx's."""
    return {"headers": {"HX-Request": "true"}}

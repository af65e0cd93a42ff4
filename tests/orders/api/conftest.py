"""API clients for the cast of users, and a small catalog with documents made through the
services (the way any door would make them)."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.services import salesorder_submit
from orders.services.documents import document_create, line_add
from tests.conftest import set_switch
from tests.orders.factories import (
    AccountFactory,
    CurrencyFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():
    """``api(user)`` is a client authenticated with the user's token; ``api(None)`` is anonymous."""
    return client_for


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


@pytest.fixture
def submitted_order(make_document, salesperson, customizer):
    """An order of the salesperson's, submitted while the switch is on (left on)."""
    order = make_document("salesorder", salesperson, lines=2)
    set_switch(customizer, True)
    order = salesorder_submit(actor=salesperson, document=order)
    order.refresh_from_db()
    return order


def etag_of(response) -> str:
    return response["ETag"]

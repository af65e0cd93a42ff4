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


def admin_post(order, *, line_changes=None, delete=(), **changes):
    """The admin's change form as it was rendered for ``order`` (header and every line), with
    the user's changes: ``line_changes`` {line pk: {field: value}}, ``delete`` line pks."""
    values = {
        "name": order.name,
        "account": order.account_id,
        "price_list": order.price_list_id,
        "currency": order.currency_id,
        "owner": order.owner_id,
        "description": order.description,
        "discount_percentage": "0",
        "discount_amount": "0",
        "freight_amount": f"{order.freight_amount:.2f}",
        "external_reference": "",
        "submit_status": "",
        "submit_status_description": "",
        "opened_version": order.version,
    }
    lines = list(order.lines.order_by("line_number", "id"))
    for index, line in enumerate(lines):
        row = {
            "id": line.pk,
            "document": order.pk,
            "product": line.product_id or "",
            "write_in_product": line.write_in_product,
            "unit": line.unit_id or "",
            "quantity": f"{line.quantity.normalize():f}",
            "price_per_unit": f"{line.price_per_unit:.2f}",
            "manual_discount_amount": f"{line.manual_discount_amount:.2f}",
            "tax": f"{line.tax:.2f}",
            "opened_version": order.version,
        }
        if line.is_price_overridden:
            row["is_price_overridden"] = "on"
        row.update((line_changes or {}).get(line.pk, {}))
        if line.pk in delete:
            row["DELETE"] = "on"
        values.update({f"lines-{index}-{name}": value for name, value in row.items()})
    values.update(
        {
            "lines-TOTAL_FORMS": str(len(lines)),
            "lines-INITIAL_FORMS": str(len(lines)),
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
        }
    )
    values.update(changes)
    return values

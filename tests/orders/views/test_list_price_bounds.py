"""docs/rules.md#catalog (amount limits): a change of a product's list price or costs that
would take the price a price list item derives from them (percent of list, markup, margin) to
the amount limit or above is refused with a message naming the item — in the API, the admin,
a spreadsheet import and the shell — and changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import PricingMethod
from tests.orders.test_spreadsheets import preview

TOO_MUCH = "6000000000"  # 200 % of it is 12,000,000,000.00
LIMIT_WORDS = "a price must stay below 10,000,000,000.00"


def api_for(user):
    token, _ = Token.objects.get_or_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


@pytest.fixture
def doubled(catalog):
    """Retail prices P-0 at 200 % of its list price (100.00 → 200.00)."""
    item = catalog["price_list"].items.select_related("product", "unit").get(product__number="P-0")
    item.pricing_method = PricingMethod.PERCENT_OF_LIST
    item.percentage = Decimal("200")
    item.save()
    return item


def names_the_item(text: str, item) -> bool:
    return (
        "Retail" in text
        and item.product.number in text
        and item.unit.name in text
        and "12,000,000,000.00" in text
        and LIMIT_WORDS in text
    )


def test_api_refuses_a_list_price_that_takes_a_percent_of_list_price_over_the_limit(
    customizer, doubled
):
    product = doubled.product

    response = api_for(customizer).patch(
        f"/api/v1/products/{product.pk}", {"list_price": TOO_MUCH}, format="json"
    )

    assert response.status_code == 400
    assert names_the_item(str(response.json()["errors"]["list_price"]), doubled)
    product.refresh_from_db()
    assert product.list_price == Decimal("100")


def test_api_keeps_a_list_price_whose_derived_prices_fit(customizer, doubled):
    product = doubled.product

    response = api_for(customizer).patch(
        f"/api/v1/products/{product.pk}", {"list_price": "4000000000"}, format="json"
    )

    assert response.status_code == 200
    product.refresh_from_db()
    assert product.list_price == Decimal("4000000000")


def test_admin_refuses_the_list_price_and_names_the_item(client, admin_user, doubled):
    product = doubled.product
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:orders_product_change", args=[product.pk]),
        {
            "number": product.number,
            "name": product.name,
            "unit_group": product.unit_group_id,
            "default_unit": product.default_unit_id,
            "list_price": TOO_MUCH,
            "current_cost": "0",
            "standard_cost": "0",
            "status": "active",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200  # the form again, with the error on the field
    field = html.split('class="form-row field-list_price')[1].split('name="list_price"')[0]
    assert names_the_item(field, doubled)
    assert f'value="{TOO_MUCH}"' in html
    product.refresh_from_db()
    assert product.list_price == Decimal("100")


def test_import_refuses_the_row_and_names_the_item(client, customizer, doubled):
    product = doubled.product
    client.force_login(customizer)
    text = (
        "number,name,description,unit_group,default_unit,list_price,current_cost,"
        "standard_cost,status\n"
        f"{product.number},{product.name},,{product.unit_group.name},"
        f"{product.default_unit.name},{TOO_MUCH},0,0,active\n"
    )

    response = preview(client, "product", text)

    html = response.content.decode()
    assert names_the_item(html, doubled)
    assert "confirm_form" not in (response.context or {})
    product.refresh_from_db()
    assert product.list_price == Decimal("100")


def test_the_shell_is_refused_too(doubled):
    product = doubled.product
    product.list_price = Decimal(TOO_MUCH)

    with pytest.raises(ValidationError) as refused:
        product.save()

    assert names_the_item(str(refused.value.message_dict["list_price"]), doubled)
    product.refresh_from_db()
    assert product.list_price == Decimal("100")


def test_a_cost_that_takes_a_markup_price_over_the_limit_is_refused(customizer, catalog):
    item = catalog["price_list"].items.select_related("product", "unit").get(product__number="P-1")
    item.pricing_method = PricingMethod.MARKUP_CURRENT_COST
    item.percentage = Decimal("100")
    item.save()
    before = item.product.current_cost

    response = api_for(customizer).patch(
        f"/api/v1/products/{item.product_id}", {"current_cost": TOO_MUCH}, format="json"
    )

    assert response.status_code == 400
    assert names_the_item(str(response.json()["errors"]["current_cost"]), item)
    item.product.refresh_from_db()
    assert item.product.current_cost == before

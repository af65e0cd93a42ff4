from decimal import Decimal

import pytest
from django.urls import reverse

from tests.orders.views.helpers import HX


@pytest.mark.parametrize("name", ["product_list", "pricelist_list"])
def test_catalog_lists_for_sales_staff(client, salesperson, catalog, name):
    client.force_login(salesperson)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Widget 0" in html or "Retail" in html


def test_product_detail_lists_its_price_list_items(client, salesperson, catalog):
    product = catalog["products"][1]
    client.force_login(salesperson)
    html = client.get(reverse("product_detail", args=[product.pk])).content.decode()
    assert "Widget 1" in html and "Retail" in html and "20.00" in html


def test_pricelist_detail_and_search(client, salesperson, catalog):
    client.force_login(salesperson)
    html = client.get(reverse("pricelist_detail", args=[catalog["price_list"].pk])).content.decode()
    assert "Widget 2" in html and "30.00" in html
    html = client.get(reverse("product_list"), {"q": "Widget 2"}).content.decode()
    assert "Widget 2" in html and "Widget 1" not in html


def test_catalog_404_and_403(client, salesperson, db, django_user_model):
    client.force_login(salesperson)
    assert client.get(reverse("product_detail", args=[999])).status_code == 404
    assert client.get(reverse("pricelist_detail", args=[999])).status_code == 404
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("product_list")).status_code == 403
    assert client.get(reverse("pricelist_list")).status_code == 403


def test_home_lists_open_work(client, salesperson, make_document):
    document = make_document("opportunity", salesperson, name="Open thing")
    client.force_login(salesperson)
    html = client.get("/").content.decode()
    assert "Open opportunities" in html and document.number in html


def item_url(item):
    return reverse("pricelist_item", args=[item.price_list_id, item.pk])


def item_data(item, **values):
    data = {
        "pricing_method": "currency_amount",
        "amount": "12.50",
        "percentage": "0",
        "rounding_policy": "none",
        "rounding_option": "multiple_of",
        "rounding_amount": "0",
        **values,
    }
    return {f"item{item.pk}-{key}": value for key, value in data.items()}


def test_customizer_edits_a_price_in_place_and_open_orders_follow(
    client, customizer, salesperson, catalog, make_document
):
    order = make_document("salesorder", salesperson, lines=1)  # Widget 0 at 10.00 × 2
    item = catalog["price_list"].items.get(product=catalog["products"][0])
    client.force_login(customizer)
    html = client.get(reverse("pricelist_detail", args=[item.price_list_id])).content.decode()
    assert f"Edit the price of {item.product.number}" in html
    html = client.get(item_url(item), **HX).content.decode()
    assert html.lstrip().startswith(f'<tr id="item-{item.pk}" class="editing"')
    html = client.post(item_url(item), item_data(item), **HX).content.decode()
    assert "This re-prices 1 document" in html  # asks first (test_catalog_impact.py)
    html = client.post(
        item_url(item), {**item_data(item), "confirm": "reprice"}, **HX
    ).content.decode()
    assert "12.50" in html and "re-priced" in html
    order.refresh_from_db()
    assert order.total_amount == Decimal("25.00")


def test_bad_price_terms_are_refused_on_the_row(client, customizer, catalog):
    item = catalog["price_list"].items.first()
    client.force_login(customizer)
    html = client.post(
        item_url(item), item_data(item, rounding_policy="up", rounding_amount="0"), **HX
    ).content.decode()
    assert "Rounding needs an amount." in html
    item.refresh_from_db()
    assert item.amount == Decimal("10")
    response = client.post(item_url(item), item_data(item, amount="-3"))
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.amount == Decimal("10")


def test_sales_staff_cannot_edit_prices(client, salesperson, catalog):
    item = catalog["price_list"].items.first()
    client.force_login(salesperson)
    html = client.get(reverse("pricelist_detail", args=[item.price_list_id])).content.decode()
    assert "Edit the price" not in html
    assert client.post(item_url(item), item_data(item)).status_code == 403
    assert client.get(item_url(item), **HX).status_code == 403


def test_error_pages_are_the_apps(client, salesperson):
    client.force_login(salesperson)
    response = client.get("/app-settings/")
    assert response.status_code == 403
    assert "App Settings are for system customizers." in response.content.decode()
    response = client.get("/orders/424242/")
    assert response.status_code == 404
    assert "belongs to someone else" in response.content.decode()


def test_a_price_in_other_scripts_digits_is_refused_on_the_row(client, customizer, catalog):
    item = catalog["price_list"].items.first()
    client.force_login(customizer)
    html = client.post(item_url(item), item_data(item, amount="١٢"), **HX).content.decode()
    assert "Write numbers with the digits 0–9." in html
    item.refresh_from_db()
    assert item.amount == Decimal("10")

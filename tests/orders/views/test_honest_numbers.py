"""docs/rules.md#price-calculation: totals never go negative, amounts have limits said in
words, and a typed price is never dropped — at the pages, the API, the admin and imports."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.services.documents import document_update
from tests.orders.test_spreadsheets import preview
from tests.orders.views.conftest import HX

DJANGO_DIGITS = "Ensure that there are no more than"


def api_for(user):
    token, _ = Token.objects.get_or_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def header_post(document, **changes):
    values = {
        "name": document.name,
        "account": document.account_id or "",
        "price_list": document.price_list_id or "",
        "currency": document.currency_id,
        "discount_percentage": "0",
        "discount_amount": "0",
        "freight_amount": "0",
        "description": "",
        "expected_version": document.version,
    }
    values.update(changes)
    return values


def header_url(document):
    return reverse("document_update", args=[document.KIND, document.pk])


# --- 10.7 totals never negative ------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"discount_amount": "20.01"}, "discount_amount"),
        ({"discount_percentage": "100", "discount_amount": "1"}, "discount_amount"),
    ],
)
def test_page_refuses_a_header_discount_above_the_products(
    client, salesperson, make_document, changes, field
):
    order = make_document("salesorder", salesperson, lines=1)  # 20.00
    client.force_login(salesperson)
    html = client.post(header_url(order), header_post(order, **changes)).content.decode()
    assert "cannot be larger than the amount of the products (20.00)" in html
    order.refresh_from_db()
    assert order.discount_amount == 0 and order.total_amount == Decimal("20")


def test_api_and_admin_refuse_a_header_discount_above_the_products(
    client, salesperson, admin_user, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    response = api_for(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}", {"discount_amount": "25.00"}, format="json"
    )
    assert response.status_code == 400
    assert "cannot be larger than the amount of the products" in str(response.json())
    client.force_login(admin_user)
    url = reverse("admin:orders_salesorder_change", args=[order.pk])
    response = client.post(
        url,
        {
            "name": order.name,
            "account": order.account_id,
            "price_list": order.price_list_id,
            "currency": order.currency_id,
            "owner": order.owner_id,
            "discount_percentage": "0",
            "discount_amount": "25",
            "freight_amount": "0",
            "opened_version": order.version,
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
        },
        follow=True,
    )
    assert "cannot be larger than the amount of the products (20.00)" in (response.content.decode())
    order.refresh_from_db()
    assert order.discount_amount == 0 and order.total_amount == Decimal("20")


def test_a_discount_on_a_document_without_products_is_refused(salesperson, make_document):
    order = make_document("salesorder", salesperson)
    response = api_for(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}", {"discount_amount": "5.00"}, format="json"
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.total_amount == 0


def test_removing_a_line_below_the_header_discount_is_refused_at_page_and_api(
    client, salesperson, make_document
):
    order = make_document("salesorder", salesperson, lines=2)  # 20.00 + 40.00
    document_update(actor=salesperson, document=order, discount_amount=Decimal("50"))
    second = order.lines.get(line_number=2)
    client.force_login(salesperson)
    url = reverse("document_line_delete", args=["salesorder", order.pk, second.pk])
    response = client.post(url, **HX)
    html = response.content.decode()
    assert "less than the sales order&#x27;s discount of 50.00: lower the discount first" in html
    # the row's form asked, but the refusal stands above the table: the section is replaced
    assert response["HX-Retarget"] == "#lines" and response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<section id="lines"') and 'id="totals"' in html
    assert order.lines.count() == 2
    response = api_for(salesperson).delete(f"/api/v1/salesorders/{order.pk}/lines/{second.pk}")
    assert response.status_code == 409 and response.json()["code"] == "discount_too_large"
    # a smaller quantity too
    response = api_for(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}/lines/{second.pk}", {"quantity": "0.5"}, format="json"
    )
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.total_amount == Decimal("10") and order.lines.count() == 2


def test_a_quantity_below_the_smallest_step_is_refused(client, salesperson, make_document, catalog):
    order = make_document("salesorder", salesperson)
    client.force_login(salesperson)
    url = reverse("document_lines", args=["salesorder", order.pk])
    product = catalog["products"][0].pk
    html = client.post(
        url, {"new-product": product, "new-quantity": "0.000001"}, **HX
    ).content.decode()
    assert "at least 0.00001" in html
    response = api_for(salesperson).post(
        f"/api/v1/salesorders/{order.pk}/lines",
        {"product": product, "quantity": "0.000001"},
        format="json",
    )
    assert response.status_code == 400 and "at least 0.00001" in str(response.json())
    assert order.lines.count() == 0


# --- 10.8 a typed price is never dropped ---------------------------------------------------


def test_page_refuses_a_typed_price_without_override(client, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.get()
    client.force_login(salesperson)
    prefix = f"line{line.pk}-"
    data = {
        prefix + "product": line.product_id,
        prefix + "unit": line.unit_id,
        prefix + "quantity": "2",
        prefix + "price_per_unit": "99.00",
        prefix + "manual_discount_amount": "0",
        prefix + "tax": "0",
        prefix + "expected_version": order.version,
    }
    url = reverse("document_line", args=["salesorder", order.pk, line.pk])
    html = client.post(url, data, **HX).content.decode()
    assert "tick Override price" in html
    line.refresh_from_db()
    assert line.price_per_unit == Decimal("10")
    # with Override ticked the typed price is saved
    client.post(url, {**data, prefix + "is_price_overridden": "on"}, **HX)
    line.refresh_from_db()
    assert line.price_per_unit == Decimal("99") and line.is_price_overridden


def test_adding_a_product_with_a_typed_price_without_override_is_refused(
    client, salesperson, make_document, catalog
):
    order = make_document("salesorder", salesperson)
    client.force_login(salesperson)
    url = reverse("document_lines", args=["salesorder", order.pk])
    data = {"new-product": catalog["products"][0].pk, "new-quantity": "1"}
    html = client.post(url, {**data, "new-price_per_unit": "5"}, **HX).content.decode()
    assert "tick Override price" in html
    assert order.lines.count() == 0


def test_api_refuses_a_typed_price_without_override(salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.get()
    response = api_for(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}/lines/{line.pk}",
        {"price_per_unit": "99.00"},
        format="json",
    )
    assert response.status_code == 409
    assert "tick Override price (is_price_overridden)" in response.json()["detail"]
    line.refresh_from_db()
    assert line.price_per_unit == Decimal("10")


# --- amount limits ---------------------------------------------------------------------------


def test_page_says_the_limits_in_words(client, salesperson, make_document, catalog):
    order = make_document("salesorder", salesperson, lines=1)
    client.force_login(salesperson)
    html = client.post(
        header_url(order), header_post(order, freight_amount="100000000000")
    ).content.decode()
    assert "Enter an amount below 10,000,000,000.00." in html and DJANGO_DIGITS not in html
    url = reverse("document_lines", args=["salesorder", order.pk])
    html = client.post(
        url,
        {"new-write_in_product": "Gold", "new-quantity": "1", "new-price_per_unit": "1e11"},
        **HX,
    ).content.decode()
    assert "Enter a price below 10,000,000,000.00." in html and DJANGO_DIGITS not in html
    html = client.post(
        url,
        {"new-write_in_product": "Sand", "new-quantity": "1" + "0" * 16, "new-price_per_unit": "1"},
        **HX,
    ).content.decode()
    assert "Enter a quantity below 10,000,000,000." in html
    # each value within its limit, but a line's amount above it
    html = client.post(
        url,
        {"new-write_in_product": "Land", "new-quantity": "1000000", "new-price_per_unit": "100000"},
        **HX,
    ).content.decode()
    assert "a line&#x27;s amount must stay below 10,000,000,000.00" in html
    order.refresh_from_db()
    assert order.lines.count() == 1 and order.freight_amount == 0


def test_api_says_the_limits_in_words(customizer, salesperson, make_document, catalog):
    order = make_document("salesorder", salesperson)
    item = catalog["price_list"].items.first()
    response = api_for(customizer).patch(
        f"/api/v1/pricelists/{item.price_list_id}/items/{item.pk}",
        {"amount": "100000000000.00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["amount"] == ["Enter an amount below 10,000,000,000.00."]
    response = api_for(salesperson).post(
        f"/api/v1/salesorders/{order.pk}/lines",
        {"write_in_product": "Sand", "quantity": "1" + "0" * 20, "price_per_unit": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["quantity"] == ["Enter a quantity below 10,000,000,000."]
    assert DJANGO_DIGITS not in response.content.decode()
    item.refresh_from_db()
    assert item.amount == Decimal("10")


def test_an_item_whose_price_would_pass_the_limit_is_refused(customizer, catalog):
    item = catalog["price_list"].items.first()
    product = item.product
    product.list_price = Decimal("9000000000")
    product.save()
    response = api_for(customizer).patch(
        f"/api/v1/pricelists/{item.price_list_id}/items/{item.pk}",
        {"pricing_method": "percent_of_list", "percentage": "200"},
        format="json",
    )
    assert response.status_code == 400
    assert "a price must stay below 10,000,000,000.00" in response.content.decode()
    item.refresh_from_db()
    assert item.pricing_method == "currency_amount"


def test_price_list_page_admin_and_import_say_the_limits_in_words(
    client, customizer, admin_user, catalog
):
    item = catalog["price_list"].items.first()
    client.force_login(customizer)
    data = {
        "pricing_method": "currency_amount",
        "amount": "100000000000",
        "percentage": "0",
        "rounding_policy": "none",
        "rounding_option": "multiple_of",
        "rounding_amount": "0",
    }
    html = client.post(
        reverse("pricelist_item", args=[item.price_list_id, item.pk]),
        {f"item{item.pk}-{k}": v for k, v in data.items()},
        **HX,
    ).content.decode()
    assert "Enter an amount below 10,000,000,000.00." in html and DJANGO_DIGITS not in html

    client.force_login(admin_user)
    product = catalog["products"][0]
    html = client.post(
        reverse("admin:orders_product_change", args=[product.pk]),
        {
            "number": product.number,
            "name": product.name,
            "unit_group": product.unit_group_id,
            "default_unit": product.default_unit_id,
            "list_price": "1" + "0" * 20,
            "current_cost": "0",
            "standard_cost": "0",
            "status": "active",
        },
    ).content.decode()
    assert "Enter an amount below 10,000,000,000.00." in html and DJANGO_DIGITS not in html

    text = (
        "price_list,product,unit,pricing_method,amount,percentage,rounding_policy,"
        "rounding_option,rounding_amount,discount_list\n"
        f"Retail,{item.product.number},{item.unit.name},currency_amount,100000000000,0,none,"
        "multiple_of,0,\n"
    )
    html = preview(client, "pricelistitem", text).content.decode()
    assert "Enter an amount below 10,000,000,000.00." in html and DJANGO_DIGITS not in html
    item.refresh_from_db()
    product.refresh_from_db()
    assert item.amount == Decimal("10") and product.list_price == Decimal("100")

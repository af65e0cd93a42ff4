"""docs/rules.md#price-calculation: totals never go negative — also where the skip table keeps
the integration user's values as given (switch on, a submitted order). A header discount larger
than the products, a negative total or amount, and a line change that leaves the products
below the header's discount are refused with a clear message at the API, the page and the
admin, and change nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.services.documents import document_update, line_update
from orders.services.transitions import salesorder_submit
from settings_app.services import organization_update_settings
from tests.orders.views.conftest import HX


def api_for(user):
    token, _ = Token.objects.get_or_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


@pytest.fixture
def submitted(make_document, salesperson, switch_on):
    """A submitted order of one line of 20.00 whose values the integration user keeps."""

    def make(lines=1, discount=Decimal("0")):
        order = make_document("salesorder", salesperson, lines=lines)
        if discount:
            document_update(actor=salesperson, document=order, discount_amount=discount)
        order = salesorder_submit(actor=salesperson, document=order)
        order.refresh_from_db()
        return order

    return make


def unchanged(order):
    before = (order.version, order.discount_amount, order.total_amount)
    order.refresh_from_db()
    return (order.version, order.discount_amount, order.total_amount) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"discount_amount": "25.00"},
        {"discount_percentage": "100", "discount_amount": "1.00"},
    ],
)
def test_api_refuses_the_integration_users_discount_above_the_products(
    integration_user, submitted, changes
):
    order = submitted()

    response = api_for(integration_user).patch(
        f"/api/v1/salesorders/{order.pk}", changes, format="json"
    )

    assert response.status_code == 400
    assert "cannot be larger than the amount of the products (20.00)" in response.content.decode()
    assert unchanged(order)


def test_api_keeps_the_integration_users_discount_within_the_products(integration_user, submitted):
    order = submitted()

    response = api_for(integration_user).patch(
        f"/api/v1/salesorders/{order.pk}",
        {"discount_amount": "5.00", "total_amount": "15.00"},
        format="json",
    )

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.discount_amount == Decimal("5") and order.total_amount == Decimal("15")
    assert order.pricing["price_source"] == "kept"


@pytest.mark.parametrize("name", ["total_amount", "total_amount_less_freight", "total_tax"])
def test_api_refuses_a_negative_total_from_the_integration_user(integration_user, submitted, name):
    order = submitted()

    response = api_for(integration_user).patch(
        f"/api/v1/salesorders/{order.pk}", {name: "-5.00"}, format="json"
    )

    assert response.status_code == 400
    assert "must not be negative" in str(response.json()["errors"][name])
    assert unchanged(order)


def test_api_refuses_a_negative_line_amount_from_the_integration_user(integration_user, submitted):
    order = submitted()
    line = order.lines.get()

    response = api_for(integration_user).patch(
        f"/api/v1/salesorders/{order.pk}/lines/{line.pk}",
        {"extended_amount": "-1.00"},
        format="json",
    )

    assert response.status_code == 400
    assert "must not be negative" in str(response.json()["errors"]["extended_amount"])
    line.refresh_from_db()
    assert line.extended_amount == Decimal("20")


def test_integration_users_line_change_below_the_header_discount_is_refused(
    integration_user, submitted
):
    order = submitted(lines=2, discount=Decimal("50"))  # 20.00 + 40.00, discount 50.00
    second = order.lines.get(line_number=2)
    api = api_for(integration_user)

    lowered = api.patch(
        f"/api/v1/salesorders/{order.pk}/lines/{second.pk}",
        {"extended_amount": "10.00"},
        format="json",
    )
    removed = api.delete(f"/api/v1/salesorders/{order.pk}/lines/{second.pk}")

    for response in (lowered, removed):
        assert response.status_code == 409
        assert response.json()["code"] == "discount_too_large"
        assert "lower the discount first" in response.json()["detail"]
    second.refresh_from_db()
    assert second.extended_amount == Decimal("40") and order.lines.count() == 2


def test_page_refuses_the_integration_users_discount_above_the_products(
    client, integration_user, submitted
):
    order = submitted()
    client.force_login(integration_user)
    values = {
        "name": order.name,
        "account": order.account_id,
        "price_list": order.price_list_id,
        "currency": order.currency_id,
        "discount_percentage": "0",
        "discount_amount": "25.00",
        "freight_amount": "0",
        "description": "",
        "expected_version": order.version,
    }

    response = client.post(reverse("document_update", args=["salesorder", order.pk]), values)

    assert "cannot be larger than the amount of the products (20.00)" in response.content.decode()
    assert unchanged(order)


def test_page_refuses_the_integration_users_line_removal_below_the_discount(
    client, integration_user, submitted
):
    order = submitted(lines=2, discount=Decimal("50"))
    second = order.lines.get(line_number=2)
    client.force_login(integration_user)
    url = reverse("document_line_delete", args=["salesorder", order.pk, second.pk])

    html = client.post(url, **HX).content.decode()

    assert "less than the sales order&#x27;s discount of 50.00: lower the discount first" in html
    assert order.lines.count() == 2


def test_admin_refuses_the_integration_users_discount_above_the_products(
    client, integration_user, submitted
):
    integration_user.is_staff = integration_user.is_superuser = True
    integration_user.save()
    order = submitted()
    client.force_login(integration_user)

    response = client.post(
        reverse("admin:orders_salesorder_change", args=[order.pk]),
        {
            "name": order.name,
            "account": order.account_id,
            "price_list": order.price_list_id,
            "currency": order.currency_id,
            "owner": order.owner_id,
            "discount_percentage": "0",
            "discount_amount": "25",
            "freight_amount": "0",
            "external_reference": "",
            "submit_status": "",
            "submit_status_description": "",
            "opened_version": order.version,
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
        },
        follow=True,
    )

    assert "cannot be larger than the amount of the products (20.00)" in response.content.decode()
    assert unchanged(order)


def test_with_system_pricing_off_the_same_floor_holds(salesperson, customizer, make_document):
    """Entered values are kept as entered, within the floor: the API and the service."""
    organization_update_settings(actor=customizer, use_system_pricing=False)
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.get()
    api = api_for(salesperson)

    negative = api.patch(
        f"/api/v1/salesorders/{order.pk}/lines/{line.pk}",
        {"extended_amount": "-1.00"},
        format="json",
    )
    discount = api.patch(
        f"/api/v1/salesorders/{order.pk}", {"discount_amount": "1000.00"}, format="json"
    )

    assert negative.status_code == 400 and discount.status_code == 400
    assert "cannot be larger than the amount of the products" in discount.content.decode()
    with pytest.raises(ValidationError):
        line_update(actor=salesperson, line=line, extended_amount=Decimal("-1"))
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.extended_amount >= 0 and order.discount_amount == 0

"""Edges found by auditing the API against docs/api.md: every refusal has a code, and rules that
a side door (POST /invoices, PATCH price_list) could bypass hold there too."""

import pytest

from orders.models import Invoice, SalesOrder
from orders.services.documents import document_create
from settings_app.errors import SwitchPosition
from tests.conftest import set_switch


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/salesorders/99999",
        "/api/v1/products/99999",
        "/api/v1/nothing-here",
        "/api/v1/salesorders/1/nothing",
    ],
)
def test_not_found_is_json_with_a_code(api, salesperson, catalog, path):
    response = api(salesperson).get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_an_invoice_for_an_order_cannot_bypass_the_switch(
    api, salesperson, customizer, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    set_switch(customizer, True)
    response = api(salesperson).post(
        "/api/v1/invoices",
        {
            "name": "Side door",
            "sales_order": order.pk,
            "price_list": order.price_list_id,
            "currency": order.currency_id,
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "switch_position"
    assert not Invoice.objects.exists()
    # The same rule at the shell's door.
    with pytest.raises(SwitchPosition):
        document_create(
            actor=salesperson,
            kind="invoice",
            name="Shell",
            price_list=order.price_list,
            sales_order=order,
        )


@pytest.mark.django_db
def test_the_back_office_invoices_its_submitted_order(api, integration_user, submitted_order):
    response = api(integration_user).post(
        "/api/v1/invoices",
        {
            "name": "ERP invoice",
            "sales_order": submitted_order.pk,
            "price_list": submitted_order.price_list_id,
            "currency": submitted_order.currency_id,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert SalesOrder.objects.get(pk=submitted_order.pk).state == "invoiced"


@pytest.mark.django_db
def test_a_document_with_lines_keeps_its_price_list(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    response = api(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}", {"price_list": None}, format="json"
    )
    assert response.status_code == 400
    assert "price_list" in response.json()["fields"]
    order.refresh_from_db()
    assert order.price_list_id is not None


@pytest.mark.django_db
def test_the_integration_user_cannot_delete_a_submitted_order(
    api, integration_user, submitted_order
):
    response = api(integration_user).delete(f"/api/v1/salesorders/{submitted_order.pk}")
    assert response.status_code == 403
    assert SalesOrder.objects.filter(pk=submitted_order.pk).exists()

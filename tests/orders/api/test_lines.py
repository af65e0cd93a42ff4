"""Lines through the API, and the skip table (docs/rules.md#skip-table) as a back office meets
it."""

from decimal import Decimal

import pytest

from orders.models import SalesOrderLine
from tests.conftest import set_switch
from tests.orders.api.conftest import etag_of


def lines_url(kind_path, document, line=None):
    url = f"/api/v1/{kind_path}/{document.pk}/lines"
    return f"{url}/{line.pk}" if line is not None else url


@pytest.mark.django_db
def test_salesperson_adds_a_priced_line_and_the_header_rolls_up(
    api, salesperson, make_document, catalog
):
    order = make_document("salesorder", salesperson)
    client = api(salesperson)
    product = catalog["products"][1]
    response = client.post(
        lines_url("salesorders", order), {"product": product.pk, "quantity": "3"}, format="json"
    )
    assert response.status_code == 201, response.json()
    line = response.json()
    assert (line["price_per_unit"], line["base_amount"], line["extended_amount"]) == (
        "20.00",
        "60.00",
        "60.00",
    )
    assert line["unit"] == product.default_unit_id
    assert line["pricing"]["decision"] == "computed"
    order_body = client.get(f"/api/v1/salesorders/{order.pk}").json()
    assert order_body["total_amount"] == "60.00"
    assert etag_of(response) == f'W/"{order_body["version"]}"'
    assert response["Location"].endswith(f"/lines/{line['id']}")


@pytest.mark.django_db
def test_lines_list_and_single_line(api, salesperson, make_document):
    order = make_document("quote", salesperson, lines=2)
    client = api(salesperson)
    listed = client.get(lines_url("quotes", order)).json()
    assert [line["line_number"] for line in listed] == [1, 2]
    line = order.lines.first()
    response = client.get(lines_url("quotes", order, line))
    assert response.status_code == 200
    assert response.json()["id"] == line.pk
    assert etag_of(response) == f'W/"{order.version}"'


@pytest.mark.django_db
def test_a_line_of_another_document_is_404(api, salesperson, make_document):
    first = make_document("salesorder", salesperson, lines=1)
    second = make_document("salesorder", salesperson, lines=1)
    line = first.lines.first()
    client = api(salesperson)
    assert client.get(lines_url("salesorders", second, line)).status_code == 404
    assert (
        client.patch(lines_url("salesorders", second, line), {}, format="json").status_code == 404
    )
    assert client.get(f"/api/v1/salesorders/{second.pk}/lines/987654").status_code == 404


@pytest.mark.django_db
def test_salesperson_setting_a_computed_field_is_409_naming_the_fields(
    api, salesperson, make_document
):
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.get()
    response = api(salesperson).patch(
        lines_url("salesorders", order, line),
        {"base_amount": "1.00", "price_per_unit": "1.00"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "computed_field"
    assert set(body["fields"]) == {"base_amount", "price_per_unit"}
    assert "base_amount" in body["detail"]
    line.refresh_from_db()
    assert line.price_per_unit == Decimal("10")


@pytest.mark.django_db
def test_salesperson_edit_of_a_submitted_order_is_409_read_only(api, salesperson, submitted_order):
    line = submitted_order.lines.first()
    client = api(salesperson)
    response = client.patch(
        lines_url("salesorders", submitted_order, line), {"quantity": "5"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "read_only"
    response = client.patch(
        f"/api/v1/salesorders/{submitted_order.pk}", {"name": "Changed"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "read_only"
    response = client.delete(lines_url("salesorders", submitted_order, line))
    assert response.status_code == 409
    assert SalesOrderLine.objects.filter(pk=line.pk).exists()


@pytest.mark.django_db
def test_integration_user_price_is_kept_on_submitted_order(api, integration_user, submitted_order):
    line = submitted_order.lines.first()
    before = api(integration_user).get(f"/api/v1/salesorders/{submitted_order.pk}").json()
    response = api(integration_user).patch(
        lines_url("salesorders", submitted_order, line),
        {"price_per_unit": "12.34", "base_amount": "24.69", "extended_amount": "24.69"},
        format="json",
        HTTP_IF_MATCH=f'W/"{submitted_order.version}"',
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["price_per_unit"], body["base_amount"], body["extended_amount"]) == (
        "12.34",
        "24.69",
        "24.69",
    )
    assert body["pricing"]["decision"] == "skipped"
    after = api(integration_user).get(f"/api/v1/salesorders/{submitted_order.pk}").json()
    # A skipped line operation leaves the header's totals as they were.
    assert after["total_amount"] == before["total_amount"]


@pytest.mark.django_db
def test_integration_user_writes_back_office_fields_on_a_submitted_order(
    api, integration_user, submitted_order
):
    response = api(integration_user).patch(
        f"/api/v1/salesorders/{submitted_order.pk}",
        {
            "last_back_office_submit": "2026-01-31T12:00:00Z",
            "external_reference": "BC-SO-1001",
            "submit_status": "accepted",
            "total_amount": "999.99",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["external_reference"] == "BC-SO-1001"
    assert body["last_back_office_submit"] == "2026-01-31T12:00:00Z"
    assert body["total_amount"] == "999.99"
    assert body["pricing"]["decision"] == "skipped"


@pytest.mark.django_db
def test_with_the_switch_off_integration_user_prices_are_computed(
    api, integration_user, make_document
):
    order = make_document("salesorder", integration_user, lines=1)
    line = order.lines.get()
    response = api(integration_user).patch(
        lines_url("salesorders", order, line), {"price_per_unit": "12.00"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["fields"] == ["price_per_unit"]


@pytest.mark.django_db
def test_with_the_switch_on_integration_user_new_line_is_kept_as_given(
    api, integration_user, customizer, make_document, catalog
):
    order = make_document("salesorder", integration_user)
    set_switch(customizer, True)
    response = api(integration_user).post(
        lines_url("salesorders", order),
        {
            "product": catalog["products"][0].pk,
            "quantity": "2",
            "price_per_unit": "9.50",
            "base_amount": "19.00",
            "extended_amount": "19.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["price_per_unit"], body["extended_amount"]) == ("9.50", "19.00")
    assert body["pricing"]["decision"] == "skipped"


@pytest.mark.django_db
def test_with_the_switch_on_salesperson_line_on_active_order_is_computed(
    api, salesperson, customizer, make_document, catalog
):
    order = make_document("salesorder", salesperson)
    set_switch(customizer, True)
    response = api(salesperson).post(
        lines_url("salesorders", order),
        {"product": catalog["products"][0].pk, "quantity": "2"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["price_per_unit"] == "10.00"
    assert response.json()["pricing"]["decision"] == "computed"


@pytest.mark.django_db
def test_integration_user_invoice_line_is_kept_with_the_switch_on(
    api, integration_user, customizer, make_document
):
    invoice = make_document("invoice", integration_user, lines=1)
    set_switch(customizer, True)
    line = invoice.lines.get()
    response = api(integration_user).patch(
        lines_url("invoices", invoice, line), {"price_per_unit": "7.77"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["price_per_unit"] == "7.77"


@pytest.mark.django_db
def test_write_in_line_and_bad_line_input(api, salesperson, make_document):
    order = make_document("opportunity", salesperson)
    client = api(salesperson)
    response = client.post(
        lines_url("opportunities", order),
        {"write_in_product": "Installation", "quantity": "1", "price_per_unit": "150.00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["extended_amount"] == "150.00"

    for bad in ({"quantity": "-1", "write_in_product": "x"}, {"quantity": "abc"}, {}):
        response = client.post(lines_url("opportunities", order), bad, format="json")
        assert response.status_code == 400, (bad, response.json())
        assert response.json()["code"] == "invalid"
    assert order.lines.count() == 1


@pytest.mark.django_db
def test_delete_a_line(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=2)
    line = order.lines.first()
    client = api(salesperson)
    response = client.delete(lines_url("salesorders", order, line))
    assert response.status_code == 200
    after = client.get(f"/api/v1/salesorders/{order.pk}")
    assert after.json()["total_amount"] == "40.00"
    # the removed line and the document's totals and version, not the whole order
    assert response.json() == {
        "id": line.pk,
        "line_number": line.line_number,
        "document": {
            key: after.json()[key]
            for key in (
                "id",
                "version",
                "total_line_item_amount",
                "total_line_item_discount_amount",
                "total_discount_amount",
                "total_amount_less_freight",
                "total_tax",
                "total_amount",
                "totals_match",
            )
        },
    }
    assert response["ETag"] == after["ETag"]  # the document's new version, for the next If-Match


@pytest.mark.django_db
def test_customizer_may_read_lines_but_not_add_them(api, customizer, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    client = api(customizer)
    assert client.get(lines_url("salesorders", order)).status_code == 200
    response = client.post(lines_url("salesorders", order), {"quantity": "1"}, format="json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_line_writes_honour_the_documents_if_match(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.get()
    client = api(salesperson)
    stale = f'W/"{order.version - 1}"'
    response = client.patch(
        lines_url("salesorders", order, line), {"quantity": "9"}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert (
        client.delete(lines_url("salesorders", order, line), HTTP_IF_MATCH=stale).status_code == 412
    )
    line.refresh_from_db()
    assert line.quantity == Decimal("2")

    current = etag_of(client.get(lines_url("salesorders", order, line)))
    response = client.patch(
        lines_url("salesorders", order, line),
        {"quantity": "9"},
        format="json",
        HTTP_IF_MATCH=current,
    )
    assert response.status_code == 200
    assert etag_of(response) != current

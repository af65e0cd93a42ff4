"""A read-only field sent in a PATCH with another value is refused (400, naming it); the
stored value echoed back is not a change and passes."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_document_patch_naming_read_only_fields_is_refused(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    client = api(salesperson)
    url = f"/api/v1/salesorders/{order.pk}"
    body = {"number": "ORD-99999", "version": 99, "is_price_locked": True, "name": "Renamed"}
    response = client.patch(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert sorted(response.json()["fields"]) == ["is_price_locked", "number", "version"]
    order.refresh_from_db()
    assert (order.number, order.name, order.is_price_locked) != ("ORD-99999", "Renamed", True)


def test_a_client_echoing_the_record_it_read_is_not_refused(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=2)
    client = api(salesperson)
    url = f"/api/v1/salesorders/{order.pk}"
    record = client.get(url).json()
    response = client.patch(url, {**record, "name": "Renamed"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Renamed"
    line = record["lines"][0]
    response = client.patch(f"{url}/lines/{line['id']}", {**line, "quantity": "3"}, format="json")
    assert response.status_code == 200, response.json()


def test_a_line_patch_naming_read_only_fields_is_refused(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    line = order.lines.get()
    response = api(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}/lines/{line.pk}",
        {"line_number": 7, "pricing": {"price_source": "override"}, "quantity": "5"},
        format="json",
    )
    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == ["line_number", "pricing"]
    line.refresh_from_db()
    assert (line.line_number, line.quantity) == (1, 2)


def test_catalog_and_organization_patches_refuse_read_only_fields(api, customizer, catalog):
    from tests.orders.factories import PriceListFactory

    client = api(customizer)
    item = catalog["price_list"].items.first()
    other = PriceListFactory(currency=catalog["currency"])
    url = f"/api/v1/pricelists/{item.price_list_id}/items/{item.pk}"
    response = client.patch(url, {"price_list": other.pk, "amount": "1.00"}, format="json")
    assert response.status_code == 400 and response.json()["fields"] == ["price_list"]
    same = client.patch(url, {"price_list": item.price_list_id, "amount": "1.00"}, format="json")
    assert same.status_code == 200
    response = client.patch("/api/v1/organization", {"name": "Other Inc."}, format="json")
    assert response.status_code == 400 and response.json()["fields"] == ["name"]

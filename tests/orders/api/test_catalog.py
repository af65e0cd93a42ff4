from decimal import Decimal

import pytest

from orders.models import PriceListItem, Product
from tests.orders.factories import (
    DiscountBandFactory,
    DiscountListFactory,
    ProductFactory,
    UnitFactory,
)

RESOURCES = ["currencies", "unitgroups", "units", "products", "pricelists", "discountlists"]


@pytest.mark.django_db
@pytest.mark.parametrize("resource", [*RESOURCES, "accounts"])
def test_every_role_with_view_permission_lists_the_catalog(api, salesperson, catalog, resource):
    response = api(salesperson).get(f"/api/v1/{resource}")
    assert response.status_code == 200
    assert "results" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("resource", RESOURCES)
def test_salesperson_cannot_write_the_catalog(api, salesperson, resource):
    response = api(salesperson).post(f"/api/v1/{resource}", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_pricelist_carries_its_items_with_decimals_as_strings(api, salesperson, catalog):
    price_list = catalog["price_list"]
    response = api(salesperson).get(f"/api/v1/pricelists/{price_list.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Retail"
    assert [item["amount"] for item in body["items"]] == ["10.00", "20.00", "30.00"]


@pytest.mark.django_db
def test_discountlist_carries_its_bands(api, salesperson):
    band = DiscountBandFactory()
    response = api(salesperson).get(f"/api/v1/discountlists/{band.discount_list_id}")
    assert response.status_code == 200
    assert response.json()["bands"] == [
        {
            "id": band.pk,
            "discount_list": band.discount_list_id,
            "from_quantity": "10",
            "to_quantity": "19",
            "value": "5.00",
        }
    ]


@pytest.mark.django_db
def test_customizer_creates_changes_and_deletes_a_product(api, customizer):
    unit = UnitFactory()
    client = api(customizer)
    response = client.post(
        "/api/v1/products",
        {
            "number": "NEW-1",
            "name": "Gadget",
            "unit_group": unit.group_id,
            "default_unit": unit.pk,
            "list_price": "12.50",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    product_id = response.json()["id"]
    assert response.json()["list_price"] == "12.50"

    response = client.patch(f"/api/v1/products/{product_id}", {"name": "Gizmo"}, format="json")
    assert response.status_code == 200
    assert Product.objects.get(pk=product_id).name == "Gizmo"

    response = client.delete(f"/api/v1/products/{product_id}")
    assert response.status_code == 204
    assert not Product.objects.filter(pk=product_id).exists()


@pytest.mark.django_db
def test_model_rules_are_field_errors(api, customizer):
    unit = UnitFactory()
    other = UnitFactory(group__name="Weights", name="kg")
    response = api(customizer).post(
        "/api/v1/products",
        {"number": "N-2", "name": "Bad", "unit_group": unit.group_id, "default_unit": other.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == ["default_unit"]
    assert not Product.objects.filter(number="N-2").exists()


@pytest.mark.django_db
def test_deleting_a_product_in_use_is_409(api, customizer, catalog):
    product = catalog["products"][0]
    response = api(customizer).delete(f"/api/v1/products/{product.pk}")
    assert response.status_code == 409
    assert response.json()["code"] == "protected"
    assert Product.objects.filter(pk=product.pk).exists()


@pytest.mark.django_db
def test_price_list_items_are_nested_under_their_list(api, customizer, catalog):
    price_list = catalog["price_list"]
    product = ProductFactory()
    client = api(customizer)
    url = f"/api/v1/pricelists/{price_list.pk}/items"
    response = client.post(
        url,
        {"product": product.pk, "unit": product.default_unit_id, "amount": "7.25"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    item = PriceListItem.objects.get(pk=response.json()["id"])
    assert (item.price_list, item.amount) == (price_list, Decimal("7.25"))

    duplicate = client.post(
        url, {"product": product.pk, "unit": product.default_unit_id}, format="json"
    )
    assert duplicate.status_code == 400

    assert len(client.get(url).json()["results"]) == 4
    assert client.get("/api/v1/pricelists/999999/items").status_code == 404

    response = client.patch(f"{url}/{item.pk}", {"amount": "8.00"}, format="json")
    assert response.status_code == 200
    assert response.json()["amount"] == "8.00"


@pytest.mark.django_db
def test_overlapping_discount_band_is_400(api, customizer):
    discount_list = DiscountListFactory()
    DiscountBandFactory(discount_list=discount_list)
    response = api(customizer).post(
        f"/api/v1/discountlists/{discount_list.pk}/bands",
        {"from_quantity": "15", "to_quantity": "30", "value": "3"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_salesperson_may_add_accounts(api, salesperson):
    response = api(salesperson).post(
        "/api/v1/accounts", {"number": "A-9", "name": "Fabrikam"}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_unknown_catalog_row_is_404(api, salesperson):
    assert api(salesperson).get("/api/v1/products/424242").status_code == 404
    assert api(salesperson).get("/api/v1/products/99999999999999999999999").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resource", "body", "change"),
    [
        ("currencies", {"code": "EUR", "name": "Euro", "symbol": "€"}, {"precision": 3}),
        ("unitgroups", {"name": "Length"}, {"base_unit_name": "Metre"}),
        ("discountlists", {"name": "Volume", "type": "percentage"}, {"name": "Volume 2"}),
        ("accounts", {"number": "A-1", "name": "Northwind"}, {"bill_to_address": "1 Main St"}),
    ],
)
def test_customizer_crud_on_the_catalog(api, customizer, resource, body, change):
    client = api(customizer)
    response = client.post(f"/api/v1/{resource}", body, format="json")
    assert response.status_code == 201, response.json()
    url = f"/api/v1/{resource}/{response.json()['id']}"
    response = client.patch(url, change, format="json")
    assert response.status_code == 200, response.json()
    for name, value in change.items():
        assert response.json()[name] == value
    assert client.get(url).status_code == 200
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_customizer_creates_a_unit_and_a_price_list(api, customizer, catalog):
    client = api(customizer)
    group = client.post("/api/v1/unitgroups", {"name": "Boxes"}, format="json").json()
    response = client.post(
        "/api/v1/units",
        {"group": group["id"], "name": "Box of 12", "quantity": "12"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["quantity"] == "12"
    response = client.post(
        "/api/v1/pricelists",
        {
            "name": "Wholesale",
            "currency": catalog["currency"].pk,
            "valid_from": "2026-01-01",
            "valid_to": "2025-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == ["valid_to"]

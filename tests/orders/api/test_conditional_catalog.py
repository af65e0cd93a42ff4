"""If-Match and Idempotency-Key hold the same way on the catalog and the organization as on
documents: a stale ETag is a 412 and changes nothing; a reused key is a 422."""

import pytest

from settings_app.models import Organization


@pytest.mark.django_db
def test_catalog_patch_with_a_stale_if_match_is_412(api, customizer, catalog):
    client = api(customizer)
    url = f"/api/v1/products/{catalog['products'][0].pk}"
    read = client.get(url)
    etag = read["ETag"]
    assert etag.startswith('W/"')

    stale = client.patch(url, {"name": "Gadget"}, format="json", HTTP_IF_MATCH='W/"999"')
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert client.get(url).json()["name"] == read.json()["name"]

    fresh = client.patch(url, {"name": "Gadget"}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200 and fresh.json()["name"] == "Gadget"
    assert fresh["ETag"] != etag
    # The old ETag is stale now, for PATCH and DELETE alike.
    assert client.patch(url, {"name": "X"}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert client.get(url).json()["name"] == "Gadget"


@pytest.mark.django_db
def test_catalog_delete_honours_if_match(api, customizer):
    client = api(customizer)
    created = client.post(
        "/api/v1/currencies",
        {"code": "CHF", "name": "Swiss franc", "symbol": "Fr", "precision": 2},
        format="json",
    )
    assert created.status_code == 201
    url = f"/api/v1/currencies/{created.json()['id']}"
    assert client.delete(url, HTTP_IF_MATCH='"nope"').status_code == 412
    assert client.delete(url, HTTP_IF_MATCH=created["ETag"]).status_code == 204


@pytest.mark.django_db
def test_catalog_create_reusing_an_idempotency_key_is_422(api, customizer):
    client = api(customizer)
    body = {"code": "NOK", "name": "Krone", "symbol": "kr", "precision": 2}
    first = client.post("/api/v1/currencies", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/v1/currencies", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    other = {**body, "code": "SEK"}
    reused = client.post("/api/v1/currencies", other, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"


@pytest.mark.django_db
def test_organization_patch_with_a_stale_if_match_is_412(api, customizer):
    client = api(customizer)
    read = client.get("/api/v1/organization")
    etag = read["ETag"]
    stale = client.patch(
        "/api/v1/organization",
        {"pricing_decimal_precision": 3},
        format="json",
        HTTP_IF_MATCH='W/"999"',
    )
    assert stale.status_code == 412
    assert Organization.load().pricing_decimal_precision == read.json()["pricing_decimal_precision"]
    fresh = client.patch(
        "/api/v1/organization", {"pricing_decimal_precision": 3}, format="json", HTTP_IF_MATCH=etag
    )
    assert fresh.status_code == 200
    assert Organization.load().pricing_decimal_precision == 3
    assert fresh["ETag"] != etag

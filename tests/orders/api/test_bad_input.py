"""Bad input gets a clear 400 and changes nothing; never a 500 (docs/rules.md#at-every-door)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["2025-01-01T00:00:00", "2025-01-01T00:00:00Z", "2025-01-01T01:00:00+01:00"]
)
def test_modified_after_accepts_naive_and_zoned_timestamps(api, salesperson, value):
    assert api(salesperson).get("/api/v1/salesorders", {"modified_after": value}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-23:00", "0001-01-01T00:00:00+23:00"])
def test_modified_after_out_of_range_is_400(api, salesperson, value):
    response = api(salesperson).get("/api/v1/salesorders", {"modified_after": value})
    assert response.status_code == 400


@pytest.mark.django_db
def test_references_that_do_not_exist_are_field_errors(api, customizer):
    response = api(customizer).post(
        "/api/v1/products",
        {"number": "x", "name": "y", "unit_group": 10**23, "default_unit": -1},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"unit_group", "default_unit"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"quantity": "1e400", "write_in_product": "x"},
        {"quantity": "NaN", "write_in_product": "x", "price_per_unit": "Infinity"},
        {"quantity": "1.123456", "write_in_product": "x"},
        {"product": "abc"},
    ],
)
def test_bad_line_bodies_are_400(api, integration_user, make_document, body):
    order = make_document("salesorder", integration_user, lines=1)
    response = api(integration_user).post(
        f"/api/v1/salesorders/{order.pk}/lines", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert order.lines.count() == 1


@pytest.mark.django_db
def test_bad_header_bodies_are_400(api, integration_user, make_document):
    order = make_document("salesorder", integration_user)
    client = api(integration_user)
    url = f"/api/v1/salesorders/{order.pk}"
    for body in ([1], {"last_back_office_submit": "10000-01-01T00:00:00Z"}, {"name": ""}):
        assert client.patch(url, body, format="json").status_code == 400, body
    order.refresh_from_db()
    assert order.name == "Big deal"


@pytest.mark.django_db
def test_a_long_unicode_idempotency_key_is_fine(api, integration_user, catalog):
    response = api(integration_user).post(
        "/api/v1/opportunities",
        {"name": "x", "currency": catalog["currency"].pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="é" * 300,
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_form_bodies_are_415(api, salesperson, catalog):
    response = api(salesperson).post(
        "/api/v1/opportunities", {"name": "x", "currency": catalog["currency"].pk}
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"

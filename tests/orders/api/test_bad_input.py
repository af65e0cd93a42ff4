"""Bad input gets a clear 400 and changes nothing; never a 500 (docs/rules.md#at-every-door)."""

import json

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


# --- nothing Django or the parser refuses becomes a 500 or an HTML page --------------------


def assert_api_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code and body["detail"] and body["fields"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        '{"name": ' * 100_000,
        '{"name": ' + "[" * 40 + "]" * 40 + "}",  # valid, but 41 deep
    ],
    ids=["open-brackets", "open-objects", "deep-but-valid"],
)
def test_deeply_nested_json_is_a_400_in_the_api_shape(api, salesperson, catalog, body):
    from orders.models import Opportunity

    response = api(salesperson).post("/api/v1/opportunities", body, content_type="application/json")
    assert_api_error(response, 400, "parse_error")
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_nesting_within_the_limit_is_parsed(api, salesperson, catalog):
    nested = "[" * 20 + "]" * 20
    body = f'{{"currency": {catalog["currency"].pk}, "name": {nested}}}'
    response = api(salesperson).post("/api/v1/opportunities", body, content_type="application/json")
    assert response.status_code == 400  # a list is no name: a field error, not a parse one
    assert response.json()["fields"] == ["name"]


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_a_413(api, salesperson, catalog, settings):
    from orders.models import Opportunity

    body = json.dumps(
        {
            "name": "x",
            "currency": catalog["currency"].pk,
            "description": "a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        }
    )
    response = api(salesperson).post("/api/v1/opportunities", body, content_type="application/json")
    assert_api_error(response, 413, "payload_too_large")
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_too_many_query_fields_is_a_400_in_the_api_shape(api, salesperson, settings):
    query = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = api(salesperson).get(f"/api/v1/salesorders?{query}")
    assert_api_error(response, 400, "too_many_fields")


@pytest.mark.django_db
def test_a_bad_host_is_a_400_in_the_api_shape_and_a_page_elsewhere(api, salesperson, client):
    response = api(salesperson).get("/api/v1/salesorders", HTTP_HOST="evil.example")
    assert_api_error(response, 400, "bad_request")
    page = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{"HTTP_X_PADDING": "a" * 9000}, {f"HTTP_X_PADDING_{n}": "a" * 5000 for n in range(8)}],
    ids=["one-large-header", "many-headers"],
)
def test_oversized_headers_are_a_431_in_the_api_shape(api, salesperson, headers):
    response = api(salesperson).get("/api/v1/salesorders", **headers)
    assert_api_error(response, 431, "headers_too_large")
    assert api(salesperson).get("/api/v1/salesorders", HTTP_X_PADDING="a" * 100).status_code == 200


# --- numbers are written with the digits 0–9 ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", ["١٢", "１２", "۱۲", "12٫5"])
def test_non_ascii_digits_are_not_a_quantity(api, salesperson, make_document, catalog, quantity):
    order = make_document("salesorder", salesperson, lines=1)
    client = api(salesperson)
    url = f"/api/v1/salesorders/{order.pk}/lines"
    body = {"product": catalog["products"][0].pk, "quantity": quantity}
    response = client.post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"quantity": ["Write numbers with the digits 0–9."]}
    line = order.lines.get()
    response = client.patch(f"{url}/{line.pk}", {"quantity": quantity}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == ["quantity"]
    line.refresh_from_db()
    assert order.lines.count() == 1 and line.quantity == 2


@pytest.mark.django_db
def test_non_ascii_digits_are_not_an_amount_or_a_count(api, salesperson, customizer, make_document):
    order = make_document("salesorder", salesperson)
    response = api(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}", {"freight_amount": "٥"}, format="json"
    )
    assert response.json()["fields"] == ["freight_amount"]
    response = api(customizer).patch(
        "/api/v1/organization", {"pricing_decimal_precision": "٣"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "pricing_decimal_precision": ["Write numbers with the digits 0–9."]
    }


@pytest.mark.django_db
def test_if_match_in_other_digits_matches_no_version(api, salesperson, make_document):
    order = make_document("salesorder", salesperson)
    response = api(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}",
        {"name": "x"},
        format="json",
        HTTP_IF_MATCH=f'"{chr(0x0660 + order.version)}"',
    )
    assert response.status_code == 412

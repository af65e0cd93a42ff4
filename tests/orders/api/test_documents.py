from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Opportunity, SalesOrder
from tests.orders.api.conftest import etag_of

PATHS = {
    "opportunity": "opportunities",
    "quote": "quotes",
    "salesorder": "salesorders",
    "invoice": "invoices",
}
HEADER_FIELDS = {
    "id",
    "number",
    "name",
    "account",
    "price_list",
    "currency",
    "owner",
    "state",
    "status_reason",
    "state_code",
    "status_code",
    "discount_percentage",
    "discount_amount",
    "freight_amount",
    "total_line_item_amount",
    "total_line_item_discount_amount",
    "total_discount_amount",
    "total_amount_less_freight",
    "total_tax",
    "total_amount",
    "pricing",
    "version",
    "created_on",
    "modified_on",
}
ORDER_FIELDS = {
    "quote",
    "opportunity",
    "is_price_locked",
    "submitted_on",
    "submitted_by",
    "last_back_office_submit",
    "submit_status",
    "submit_status_description",
    "external_reference",
}
LINE_FIELDS = {
    "id",
    "line_number",
    "product",
    "write_in_product",
    "unit",
    "quantity",
    "price_per_unit",
    "is_price_overridden",
    "volume_discount_amount",
    "base_amount",
    "manual_discount_amount",
    "tax",
    "extended_amount",
    "pricing",
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(PATHS))
def test_create_then_read_a_document(api, salesperson, catalog, kind):
    client = api(salesperson)
    response = client.post(
        f"/api/v1/{PATHS[kind]}",
        {
            "name": "Fleet renewal",
            "account": catalog["account"].pk,
            "price_list": catalog["price_list"].pk,
            "currency": catalog["currency"].pk,
            "freight_amount": "5.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == salesperson.pk
    assert body["freight_amount"] == "5.00"
    assert body["total_amount"] == "5.00"
    assert body["lines"] == []
    assert response["Location"].endswith(f"/api/v1/{PATHS[kind]}/{body['id']}")

    response = client.get(f"/api/v1/{PATHS[kind]}/{body['id']}")
    assert response.status_code == 200
    assert etag_of(response) == f'W/"{body["version"]}"'


@pytest.mark.django_db
def test_order_has_exactly_the_documented_fields(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    body = api(salesperson).get(f"/api/v1/salesorders/{order.pk}").json()
    assert set(body) == HEADER_FIELDS | ORDER_FIELDS | {"lines", "totals_match"}
    assert body["totals_match"] is True
    assert set(body["lines"][0]) == LINE_FIELDS
    assert body["state"] == "active"
    assert (body["state_code"], body["status_code"]) == (0, 1)
    assert body["lines"][0]["price_per_unit"] == "10.00"
    assert body["lines"][0]["pricing"]["decision"] == "computed"
    assert body["created_on"].endswith("Z")


@pytest.mark.django_db
def test_invoice_and_list_fields(api, salesperson, make_document):
    invoice = make_document("invoice", salesperson)
    client = api(salesperson)
    body = client.get(f"/api/v1/invoices/{invoice.pk}").json()
    assert set(body) == HEADER_FIELDS | {"sales_order", "is_price_locked", "lines", "totals_match"}
    listed = client.get("/api/v1/invoices").json()["results"][0]
    assert "lines" not in listed
    assert set(listed) == HEADER_FIELDS | {"sales_order", "is_price_locked", "totals_match"}


@pytest.mark.django_db
def test_missing_required_field_is_400_with_field_errors(api, salesperson, catalog):
    response = api(salesperson).post(
        "/api/v1/opportunities", {"currency": catalog["currency"].pk}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == ["name"]
    assert body["errors"]["name"] == ["This field is required."]
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_malformed_json_is_400(api, salesperson):
    response = api(salesperson).generic(
        "POST", "/api/v1/opportunities", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_domain_field_errors_are_400(api, salesperson, catalog, make_document):
    # The price list's currency is the document's: the domain says so, the API translates.
    from tests.orders.factories import CurrencyFactory

    euro = CurrencyFactory(code="EUR", name="Euro", symbol="€")
    order = make_document("salesorder", salesperson)
    response = api(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}", {"currency": euro.pk}, format="json"
    )
    assert response.status_code == 400
    assert "currency" in response.json()["errors"]


@pytest.mark.django_db
def test_list_filters_by_state_and_modified_after(api, salesperson, make_document, submitted_order):
    active = make_document("salesorder", salesperson, name="Still active")
    client = api(salesperson)
    results = client.get("/api/v1/salesorders", {"state": "submitted"}).json()["results"]
    assert [r["id"] for r in results] == [submitted_order.pk]
    results = client.get("/api/v1/salesorders", {"state": "active"}).json()["results"]
    assert [r["id"] for r in results] == [active.pk]

    SalesOrder.objects.filter(pk=submitted_order.pk).update(
        modified_on=timezone.now() - timedelta(days=2)
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    results = client.get("/api/v1/salesorders", {"modified_after": since}).json()["results"]
    assert [r["id"] for r in results] == [active.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [({"state": "bogus"}, "state"), ({"modified_after": "yesterday"}, "modified_after")],
)
def test_bad_list_filters_are_400(api, salesperson, params, field):
    response = api(salesperson).get("/api/v1/salesorders", params)
    assert response.status_code == 400
    assert response.json()["fields"] == [field]


@pytest.mark.django_db
def test_list_is_cursor_paginated(api, salesperson, make_document):
    made = {make_document("opportunity", salesperson, name=f"Deal {n}").pk for n in range(5)}
    client = api(salesperson)
    seen = []
    url = "/api/v1/opportunities?limit=2"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(made)
    assert client.get("/api/v1/opportunities?cursor=garbage").status_code == 404


@pytest.mark.django_db
def test_salesperson_sees_only_own_documents(api, salesperson, other_salesperson, make_document):
    mine = make_document("opportunity", salesperson)
    theirs = make_document("opportunity", other_salesperson)
    client = api(salesperson)
    ids = [r["id"] for r in client.get("/api/v1/opportunities").json()["results"]]
    assert ids == [mine.pk]
    for method in ("get", "patch"):
        response = getattr(client, method)(f"/api/v1/opportunities/{theirs.pk}")
        assert response.status_code == 404
    assert client.get(f"/api/v1/opportunities/{theirs.pk}/lines").status_code == 404
    assert client.post(f"/api/v1/opportunities/{theirs.pk}/win").status_code == 404


@pytest.mark.django_db
def test_manager_sees_everyones_documents(api, manager, salesperson, make_document):
    theirs = make_document("opportunity", salesperson)
    assert api(manager).get(f"/api/v1/opportunities/{theirs.pk}").status_code == 200


@pytest.mark.django_db
def test_patch_changes_a_document_and_bumps_the_version(api, salesperson, make_document):
    order = make_document("salesorder", salesperson, lines=1)
    client = api(salesperson)
    etag = etag_of(client.get(f"/api/v1/salesorders/{order.pk}"))
    response = client.patch(
        f"/api/v1/salesorders/{order.pk}",
        {"discount_amount": "2.00", "name": "Renamed"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["discount_amount"], body["total_amount"]) == (
        "Renamed",
        "2.00",
        "18.00",
    )
    assert etag_of(response) == f'W/"{body["version"]}"'
    assert etag_of(response) != etag


@pytest.mark.django_db
@pytest.mark.parametrize("header", ['W/"1"', '"1"', "garbage"])
def test_stale_if_match_is_412_and_changes_nothing(api, salesperson, make_document, header):
    order = make_document("salesorder", salesperson, lines=1)
    assert order.version > 1
    client = api(salesperson)
    response = client.patch(
        f"/api/v1/salesorders/{order.pk}", {"name": "Late"}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    assert client.delete(f"/api/v1/salesorders/{order.pk}", HTTP_IF_MATCH=header).status_code in {
        403,
        412,
    }
    response = client.post(f"/api/v1/salesorders/{order.pk}/recalculate", HTTP_IF_MATCH=header)
    assert response.status_code == 412
    order.refresh_from_db()
    assert order.name == "Big deal"


@pytest.mark.django_db
def test_matching_if_match_in_any_form_is_accepted(api, salesperson, make_document):
    order = make_document("opportunity", salesperson)
    client = api(salesperson)
    for form in ('"{}"', 'W/"{}"', "{}", '"0", W/"{}"', "*"):
        order.refresh_from_db()
        response = client.patch(
            f"/api/v1/opportunities/{order.pk}",
            {"name": f"Renamed {form}"},
            format="json",
            HTTP_IF_MATCH=form.format(order.version),
        )
        assert response.status_code == 200, (form, response.json())


@pytest.mark.django_db
def test_if_match_on_action_412(api, salesperson, make_document):
    opportunity = make_document("opportunity", salesperson)
    response = api(salesperson).post(
        f"/api/v1/opportunities/{opportunity.pk}/win", HTTP_IF_MATCH='W/"999"'
    )
    assert response.status_code == 412
    opportunity.refresh_from_db()
    assert opportunity.state == "open"


@pytest.mark.django_db
def test_delete_needs_the_delete_permission(
    api, salesperson, manager, integration_user, make_document
):
    opportunity = make_document("opportunity", salesperson)
    for refused in (salesperson, integration_user):
        response = api(refused).delete(f"/api/v1/opportunities/{opportunity.pk}")
        assert response.status_code == 403
    response = api(manager).delete(
        f"/api/v1/opportunities/{opportunity.pk}", HTTP_IF_MATCH=f'W/"{opportunity.version}"'
    )
    assert response.status_code == 204
    assert not Opportunity.objects.filter(pk=opportunity.pk).exists()


@pytest.mark.django_db
def test_a_document_that_is_no_longer_editable_cannot_be_deleted(api, manager, make_document):
    opportunity = make_document("opportunity", manager)
    api(manager).post(f"/api/v1/opportunities/{opportunity.pk}/win")
    response = api(manager).delete(f"/api/v1/opportunities/{opportunity.pk}")
    assert response.status_code == 409
    assert response.json()["code"] == "read_only"
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


@pytest.mark.django_db
def test_customizer_reads_documents_but_cannot_create_them(api, customizer, catalog):
    client = api(customizer)
    assert client.get("/api/v1/salesorders").status_code == 200
    response = client.post(
        "/api/v1/salesorders",
        {"name": "x", "currency": catalog["currency"].pk},
        format="json",
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_state_is_read_only_through_patch(api, salesperson, make_document):
    order = make_document("salesorder", salesperson)
    client = api(salesperson)
    response = client.patch(
        f"/api/v1/salesorders/{order.pk}", {"state": "fulfilled"}, format="json"
    )
    # The state moves only through actions: a PATCH naming another state is refused.
    assert response.status_code == 400
    assert response.json()["fields"] == ["state"]
    order.refresh_from_db()
    assert order.state == "active"
    # Echoing the stored state back (a client sending the record it read) is fine.
    response = client.patch(
        f"/api/v1/salesorders/{order.pk}", {"state": "active", "name": "Renamed"}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_salesperson_cannot_write_back_office_fields(api, salesperson, make_document):
    order = make_document("salesorder", salesperson)
    response = api(salesperson).patch(
        f"/api/v1/salesorders/{order.pk}", {"external_reference": "BC-1"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "integration_only"
    assert response.json()["fields"] == ["external_reference"]


@pytest.mark.django_db
def test_a_document_cannot_refer_to_one_its_user_cannot_see(
    api, salesperson, other_salesperson, make_document, catalog
):
    theirs = make_document("salesorder", other_salesperson)
    response = api(salesperson).post(
        "/api/v1/invoices",
        {"name": "Sneaky", "currency": catalog["currency"].pk, "sales_order": theirs.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == ["sales_order"]

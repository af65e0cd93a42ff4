"""Line writes answer with the line and its document's totals and version (not the whole
order), and ``totals_match`` says when stored totals disagree with the lines (issue 10.4,
12.2)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import SalesOrderLine
from orders.services import perform
from tests.conftest import set_switch
from tests.orders.api.conftest import etag_of
from tests.orders.api.test_query_budget import add_lines

TOTALS = {
    "id",
    "version",
    "total_line_item_amount",
    "total_line_item_discount_amount",
    "total_discount_amount",
    "total_amount_less_freight",
    "total_tax",
    "total_amount",
    "totals_match",
}


def lines_url(document, line=None):
    url = f"/api/v1/salesorders/{document.pk}/lines"
    return f"{url}/{line.pk}" if line is not None else url


@pytest.mark.django_db
def test_add_and_change_answer_with_the_line_and_the_documents_totals(
    api, salesperson, make_document, catalog
):
    order = make_document("salesorder", salesperson, lines=1)
    client = api(salesperson)
    added = client.post(
        lines_url(order), {"product": catalog["products"][1].pk, "quantity": "3"}, format="json"
    )
    assert added.status_code == 201
    body = added.json()
    assert body["extended_amount"] == "60.00" and "lines" not in body
    assert set(body["document"]) == TOTALS
    assert body["document"]["total_amount"] == "80.00"  # 2 × 10 + 3 × 20
    assert body["document"]["totals_match"] is True
    assert etag_of(added) == f'W/"{body["document"]["version"]}"'
    changed = client.patch(
        lines_url(order, order.lines.get(pk=body["id"])),
        {"quantity": "1"},
        format="json",
        HTTP_IF_MATCH=etag_of(added),
    )
    assert changed.status_code == 200
    assert changed.json()["document"]["total_amount"] == "40.00"
    assert changed.json()["document"]["version"] == body["document"]["version"] + 1
    read = client.get(f"/api/v1/salesorders/{order.pk}")
    assert etag_of(read) == etag_of(changed)


@pytest.mark.django_db
def test_totals_match_is_false_when_the_back_office_kept_other_totals(
    api, salesperson, integration_user, customizer, make_document
):
    set_switch(customizer, True)
    order = make_document("salesorder", salesperson, lines=1)  # 2 × 10 = 20
    perform("submit", actor=salesperson, document=order)
    back_office = api(integration_user)
    line = order.lines.get()
    response = back_office.patch(
        lines_url(order, line),
        {"base_amount": "19.00", "extended_amount": "19.00"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["document"]["totals_match"] is False  # the header still says 20.00
    order_body = back_office.get(f"/api/v1/salesorders/{order.pk}").json()
    assert order_body["totals_match"] is False
    listed = back_office.get("/api/v1/salesorders").json()["results"]
    assert [o["totals_match"] for o in listed if o["id"] == order.pk] == [False]
    # read-only: a different value is refused, the same one echoed back is fine
    refused = back_office.patch(
        f"/api/v1/salesorders/{order.pk}", {"totals_match": True}, format="json"
    )
    assert refused.status_code == 400
    fixed = back_office.patch(
        f"/api/v1/salesorders/{order.pk}",
        {
            "total_line_item_amount": "19.00",
            "total_amount_less_freight": "19.00",
            "total_amount": "19.00",
            "totals_match": False,
        },
        format="json",
    )
    assert fixed.status_code == 200, fixed.json()
    assert fixed.json()["totals_match"] is True


@pytest.mark.django_db
def test_line_write_queries_and_body_do_not_grow_with_lines(api, manager, make_document, catalog):
    order = make_document("salesorder", manager, lines=1)
    client = api(manager)
    product = catalog["products"][0].pk

    def patch_one():
        line = SalesOrderLine.objects.filter(document=order).first()
        with CaptureQueriesContext(connection) as queries:
            response = client.patch(lines_url(order, line), {"quantity": "3"}, format="json")
        assert response.status_code == 200
        client.patch(lines_url(order, line), {"quantity": "2"}, format="json")
        return len(queries), len(response.content)

    client.post(lines_url(order), {"product": product, "quantity": "1"}, format="json")
    one_queries, one_size = patch_one()
    add_lines(order, 200, catalog)
    many_queries, many_size = patch_one()
    assert many_queries == one_queries
    assert many_size <= one_size + 20  # the totals grow a digit or two, not a line more
    assert Decimal(order.lines.count()) > 200

"""An API call runs the same number of queries for 1 record or line as for 100
(docs/rules.md#at-every-door)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Opportunity, SalesOrder, SalesOrderLine


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_lines(order, count, catalog):
    product = catalog["products"][0]
    start = order.lines.count()
    SalesOrderLine.objects.bulk_create(
        SalesOrderLine(
            document=order,
            line_number=start + n + 1,
            product=product,
            unit=product.default_unit,
            quantity=Decimal("1"),
            price_per_unit=Decimal("10"),
        )
        for n in range(count)
    )


def add_documents(model, owner, catalog, count, prefix):
    model.objects.bulk_create(
        model(
            number=f"{prefix}-{n:05d}",
            name=f"Deal {n}",
            owner=owner,
            currency=catalog["currency"],
            price_list=catalog["price_list"],
        )
        for n in range(count)
    )


@pytest.mark.django_db
def test_document_list_queries_do_not_grow(api, salesperson, catalog, django_assert_num_queries):
    client = api(salesperson)
    add_documents(Opportunity, salesperson, catalog, 1, "ONE")
    one = count_queries(client, "/api/v1/opportunities?limit=200")
    add_documents(Opportunity, salesperson, catalog, 99, "MANY")
    with django_assert_num_queries(one):
        response = client.get("/api/v1/opportunities?limit=200")
    assert len(response.json()["results"]) == 100


@pytest.mark.django_db
def test_document_retrieve_queries_do_not_grow(
    api, salesperson, catalog, make_document, django_assert_num_queries
):
    order = make_document("salesorder", salesperson)
    client = api(salesperson)
    add_lines(order, 1, catalog)
    one = count_queries(client, f"/api/v1/salesorders/{order.pk}")
    add_lines(order, 99, catalog)
    with django_assert_num_queries(one):
        response = client.get(f"/api/v1/salesorders/{order.pk}")
    assert len(response.json()["lines"]) == 100
    # Token, user and group permissions, the document, its lines.
    assert one <= 6, one


@pytest.mark.django_db
def test_line_list_queries_do_not_grow(
    api, salesperson, catalog, make_document, django_assert_num_queries
):
    order = make_document("salesorder", salesperson)
    client = api(salesperson)
    add_lines(order, 1, catalog)
    one = count_queries(client, f"/api/v1/salesorders/{order.pk}/lines")
    add_lines(order, 99, catalog)
    with django_assert_num_queries(one):
        client.get(f"/api/v1/salesorders/{order.pk}/lines")


@pytest.mark.django_db
def test_catalog_list_queries_do_not_grow(api, salesperson, catalog, django_assert_num_queries):
    client = api(salesperson)
    one = count_queries(client, "/api/v1/pricelists")
    from tests.orders.factories import PriceListFactory, PriceListItemFactory

    for _ in range(5):
        price_list = PriceListFactory(currency=catalog["currency"])
        PriceListItemFactory(price_list=price_list)
    with django_assert_num_queries(one):
        client.get("/api/v1/pricelists")


@pytest.mark.django_db
def test_order_list_for_the_back_office_is_flat(
    api, integration_user, catalog, django_assert_num_queries
):
    client = api(integration_user)
    add_documents(SalesOrder, integration_user, catalog, 1, "ONE")
    one = count_queries(client, "/api/v1/salesorders")
    add_documents(SalesOrder, integration_user, catalog, 49, "MANY")
    with django_assert_num_queries(one):
        client.get("/api/v1/salesorders")
    # Token, user permissions, group permissions, the page: a handful, whatever the size.
    assert one <= 6, one

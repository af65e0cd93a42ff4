import pytest
from django.urls import reverse

from tests.orders.views.helpers import HX

KINDS = ["opportunity", "quote", "salesorder", "invoice"]


@pytest.mark.parametrize("kind", KINDS)
def test_list_page_renders_with_filters_and_new_button(client, salesperson, make_document, kind):
    document = make_document(kind, salesperson)
    client.force_login(salesperson)
    response = client.get(reverse(f"{kind}_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert document.number in html
    assert 'id="doc-table"' in html
    assert '<label for="id_q">Search</label>' in html
    assert reverse(f"{kind}_new") in html


def test_htmx_request_gets_only_the_table(client, salesperson, make_document):
    make_document("opportunity", salesperson, name="Alpha")
    client.force_login(salesperson)
    response = client.get(reverse("opportunity_list"), {"q": "Alpha"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="doc-table"')
    assert "<html" not in html
    assert "Alpha" in html
    assert "HX-Request" in response["Vary"]


def test_search_matches_number_name_and_account(client, salesperson, make_document):
    alpha = make_document("quote", salesperson, name="Alpha deal")
    beta = make_document("quote", salesperson, name="Beta deal")
    client.force_login(salesperson)
    html = client.get(reverse("quote_list"), {"q": "alpha"}).content.decode()
    assert alpha.number in html and beta.number not in html
    html = client.get(reverse("quote_list"), {"q": beta.number}).content.decode()
    assert beta.number in html and alpha.number not in html
    html = client.get(reverse("quote_list"), {"q": "contoso"}).content.decode()
    assert alpha.number in html and beta.number in html


def test_state_filter_and_bad_filter_values_are_ignored(client, salesperson, make_document):
    make_document("opportunity", salesperson, name="Open one")
    client.force_login(salesperson)
    html = client.get(reverse("opportunity_list"), {"state": "won"}).content.decode()
    assert "Open one" not in html
    assert "match these filters" in html
    response = client.get(
        reverse("opportunity_list"), {"state": "nonsense", "sort": "drop table", "page": "x"}
    )
    assert response.status_code == 200
    assert "Open one" in response.content.decode()


def test_sort_by_name_both_ways(client, salesperson, make_document):
    make_document("opportunity", salesperson, name="Aaa")
    make_document("opportunity", salesperson, name="Zzz")
    client.force_login(salesperson)
    html = client.get(reverse("opportunity_list"), {"sort": "name"}).content.decode()
    assert html.index("Aaa") < html.index("Zzz")
    assert 'aria-sort="ascending"' in html
    html = client.get(reverse("opportunity_list"), {"sort": "-name"}).content.decode()
    assert html.index("Zzz") < html.index("Aaa")


def test_salesperson_sees_only_own_records_manager_sees_all(
    client, salesperson, other_salesperson, manager, make_document
):
    mine = make_document("opportunity", salesperson, name="Mine")
    theirs = make_document("opportunity", other_salesperson, name="Theirs")
    client.force_login(salesperson)
    html = client.get(reverse("opportunity_list")).content.decode()
    assert mine.number in html and theirs.number not in html
    client.force_login(manager)
    html = client.get(reverse("opportunity_list")).content.decode()
    assert mine.number in html and theirs.number in html


def test_lists_need_sign_in_and_a_role(client, db, django_user_model):
    assert client.get(reverse("quote_list")).status_code == 302
    nobody = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(nobody)
    assert client.get(reverse("quote_list")).status_code == 403


def test_pagination_keeps_the_filters(client, manager, make_document):
    for n in range(30):
        make_document("opportunity", manager, name=f"Deal {n:02d}")
    client.force_login(manager)
    html = client.get(reverse("opportunity_list"), {"q": "Deal", "sort": "name"}).content.decode()
    assert "page 1 of 2" in html
    assert "?q=Deal&amp;sort=name&amp;page=2" in html


def test_list_query_count_does_not_grow_with_records(
    client, manager, make_document, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(10):
        make_document("salesorder", manager, name=f"Order {i}")
    client.force_login(manager)
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("salesorder_list"))
    for i in range(190):
        make_document("salesorder", manager, name=f"More {i}")
    with django_assert_num_queries(len(ten)):
        response = client.get(reverse("salesorder_list"))
    assert "200 records" in response.content.decode()


def test_order_list_shows_where_submitted_orders_are_with_constant_queries(
    client, manager, customizer, make_document, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.integration.endpoints import endpoint_create
    from orders.services import salesorder_submit
    from tests.conftest import set_switch

    set_switch(customizer, True)
    endpoint_create(actor=customizer, url="http://127.0.0.1:9/hooks")

    def submitted_orders(count):
        for i in range(count):
            order = make_document("salesorder", manager, name=f"Order {i}", lines=1)
            salesorder_submit(actor=manager, document=order)

    submitted_orders(2)
    client.force_login(manager)
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("salesorder_list"))
    assert "Sending to back office" in response.content.decode()
    submitted_orders(18)
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("salesorder_list"))
    assert response.content.decode().count("Sending to back office") == 20

"""Lists at scale, on every database: capped counts and depth, the search as sub-selects, only
the shown columns read — with what the page says about them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import SalesOrder
from orders.views import lists


@pytest.fixture
def small_caps(monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 12)
    monkeypatch.setattr(lists, "MAX_PAGES", 2)
    monkeypatch.setattr(lists, "PAGE_SIZE", 5)


def test_a_big_list_says_how_many_only_up_to_the_cap_and_pages_no_deeper(
    client, manager, make_document, small_caps
):
    for n in range(15):
        make_document("salesorder", manager, name=f"Deal {n:02d}")
    client.force_login(manager)

    html = client.get(reverse("salesorder_list"), {"sort": "name"}).content.decode()
    assert "12+ records" in html
    assert "page 1 of 2" in html
    html = client.get(reverse("salesorder_list"), {"sort": "name", "page": "99"}).content.decode()
    assert "page 2 of 2" in html and "Deal 09" in html and "Deal 10" not in html
    assert "search, filter or sort the other way to reach the rest" in html
    # The other way round, the rest is there.
    html = client.get(reverse("salesorder_list"), {"sort": "-name"}).content.decode()
    assert "Deal 14" in html
    # Under the cap, the exact number and no note.
    html = client.get(reverse("salesorder_list"), {"q": "Deal 1"}).content.decode()
    assert "5 records" in html and "reach the rest" not in html


def test_search_by_account_is_a_sub_select_not_a_join(client, manager, make_document):
    mine = make_document("salesorder", manager, name="Kiosk")
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("salesorder_list"), {"q": "contoso"}).content.decode()
    assert mine.number in html
    search = next(q["sql"] for q in queries if "orders_account" in q["sql"] and "LIKE" in q["sql"])
    assert "JOIN" not in search.split("FROM", 1)[1].split("WHERE", 1)[0]
    assert "IN (SELECT" in search or "ANY(ARRAY(SELECT" in search


def test_the_list_reads_only_the_columns_it_shows(client, manager, make_document):
    make_document("salesorder", manager, name="Narrow")
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("salesorder_list")).content.decode()
    assert "Narrow" in html
    page = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT "orders_salesorder"."id"')
        and '"orders_salesorder"."number"' in q["sql"]
    ]
    assert page, [q["sql"][:100] for q in queries]
    for column in ('"description"', '"pricing"', "bill_to_address", "password"):
        assert column not in page[0]


def test_a_broad_search_is_counted_once_and_only_as_far_as_its_pages_reach(
    client, manager, make_document, small_caps
):
    """Past what its pages can show (2 of 5 here; 40 of 25 in use), a search's own capped read
    of the matches is the count — "10+" — and no second one is made."""
    for n in range(15):
        make_document("salesorder", manager, name=f"Refit {n:02d}")
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("salesorder_list"), {"q": "refit", "sort": "name"})
    html = html.content.decode()
    assert "10+ records" in html and "page 1 of 2" in html
    assert "Refit 00" in html and "Refit 05" not in html
    assert any("LIKE" in q["sql"] and "LIMIT 11" in q["sql"] for q in queries)
    assert not [
        q["sql"] for q in queries if "COUNT(" in q["sql"] and "orders_salesorder" in q["sql"]
    ]
    html = client.get(reverse("salesorder_list"), {"q": "refit", "sort": "-name"}).content
    assert "Refit 14" in html.decode()  # the other way round, the rest is there


def test_a_term_that_cannot_be_in_a_number_skips_the_numbers(client, manager, make_document):
    spaced = make_document("salesorder", manager, name="Spring refit")
    client.force_login(manager)
    for term, searches_numbers in (("spring refit", False), (spaced.number[:6], True)):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("salesorder_list"), {"q": term}).content.decode()
        assert spaced.number in html
        search = next(q["sql"] for q in queries if "LIKE" in q["sql"])
        assert ('"number"' in search.split("WHERE", 1)[1]) is searches_numbers


def test_a_term_shaped_like_a_number_finds_the_numbers_that_start_with_it(
    client, manager, make_document
):
    first = make_document("salesorder", manager, name="Refit")
    other = make_document("salesorder", manager, name=f"Follow-up of {first.number}")
    client.force_login(manager)

    for term in (first.number, first.number.lower(), first.number[:-1]):
        html = client.get(reverse("salesorder_list"), {"q": term}).content.decode()
        assert first.number in html, term
    # A number's term is looked up among numbers only (their index), not in names.
    html = client.get(reverse("salesorder_list"), {"q": first.number}).content.decode()
    assert "1 record" in html and other.number not in html
    # Another kind's prefix, or a part of a number without its prefix, still searches all three.
    html = client.get(reverse("salesorder_list"), {"q": first.number[1:]}).content.decode()
    assert first.number in html and other.number in html
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("salesorder_list"), {"q": first.number})
    search = next(q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"].upper())
    assert "orders_account" not in search and '"name"' not in search


def test_a_deep_page_skips_rows_by_key_and_reads_only_its_own_rows(
    client, manager, make_document, small_caps
):
    for n in range(15):
        make_document("salesorder", manager, name=f"Deal {n:02d}")
    client.force_login(manager)

    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("salesorder_list"), {"sort": "name", "page": "2"}).content
    html = html.decode()
    assert "Deal 05" in html and "Deal 09" in html
    assert "Deal 04" not in html and "Deal 10" not in html
    assert html.index("Deal 05") < html.index("Deal 09")
    rows = [q["sql"] for q in queries.captured_queries if '"orders_salesorder"."name"' in q["sql"]]
    skipping = [sql for sql in rows if "OFFSET" in sql.upper()]
    # The OFFSET walks the keys only; the rows shown are read by key, with their joins.
    assert skipping and all(
        sql.upper().startswith('SELECT "ORDERS_SALESORDER"."ID" AS') for sql in skipping
    ), skipping
    assert any("orders_account" in sql and "OFFSET" not in sql.upper() for sql in rows), rows


@pytest.mark.parametrize("sort", ["-modified", "modified", "total", "-total"])
def test_a_searchs_pages_are_in_the_lists_order_ties_by_key(
    client, manager, make_document, small_caps, sort
):
    """A search's first page is picked from its matches in Python for time and amount sorts
    (the matches' read brings the sort's value); its rows, ties included, come in the order the
    database gives the next page and the unsearched list."""
    orders = [make_document("salesorder", manager, name=f"Refit {n}") for n in range(8)]
    make_document("salesorder", manager, name="Unrelated")
    moment = orders[0].modified_on
    # three pairs of ties, in the order's time and in its total
    for index, order in enumerate(orders):
        SalesOrder.objects.filter(pk=order.pk).update(
            modified_on=moment.replace(microsecond=0) + timedelta(seconds=index // 2),
            total_amount=Decimal(100 + index // 2),
        )
    field = lists.SORTS[sort.lstrip("-")][1]
    direction = "-" if sort.startswith("-") else ""
    expected = list(
        SalesOrder.objects.filter(name__startswith="Refit")
        .order_by(f"{direction}{field}", f"{direction}id")
        .values_list("number", flat=True)
    )
    client.force_login(manager)
    shown = []
    for page in (1, 2):
        html = client.get(
            reverse("salesorder_list"), {"q": "refit", "sort": sort, "page": page}
        ).content.decode()
        shown += sorted(
            (html.index(number), number) for number in expected if f">{number}<" in html
        )
    assert [number for _, number in shown] == expected

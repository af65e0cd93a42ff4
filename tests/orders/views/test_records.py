from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.services import perform
from tests.orders.views.helpers import HX

KINDS = ["opportunity", "quote", "salesorder", "invoice"]


def action_url(document, name):
    return reverse(
        "document_action", kwargs={"kind": document.KIND, "pk": document.pk, "name": name}
    )


def lines_url(document):
    return reverse("document_lines", kwargs={"kind": document.KIND, "pk": document.pk})


def line_url(line, suffix=""):
    document = line.document
    name = "document_line_delete" if suffix == "delete" else "document_line"
    return reverse(name, kwargs={"kind": document.KIND, "pk": document.pk, "line_id": line.pk})


def line_post(prefix, product=None, quantity="2", **extra):
    data = {f"{prefix}-quantity": quantity}
    if product is not None:
        data[f"{prefix}-product"] = product.pk
    for key, value in extra.items():
        data[f"{prefix}-{key}"] = value
    return data


@pytest.mark.parametrize("kind", KINDS)
def test_record_page_shows_header_lines_totals_commands_and_timeline(
    client, salesperson, make_document, kind
):
    document = make_document(kind, salesperson, lines=2)
    client.force_login(salesperson)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert document.number in html
    assert 'id="header-form"' in html and ">Save</button>" in html
    assert 'id="lines"' in html and "Widget 0" in html and "Widget 1" in html
    assert 'id="total-amount">60.00<' in html
    assert 'role="toolbar"' in html
    timeline = reverse("document_timeline", kwargs={"kind": kind, "pk": document.pk})
    assert f'id="timeline" aria-labelledby="timeline-h" hx-get="{timeline}"' in html
    assert "Added line 1" in client.get(timeline, **HX).content.decode()
    assert "Computed from the price list" not in html  # provenance is the domain's words …
    assert "From price list Retail" in html  # … shown in a disclosure per line


def test_other_salespersons_record_is_not_found(
    client, salesperson, other_salesperson, make_document
):
    document = make_document("quote", other_salesperson)
    client.force_login(salesperson)
    assert client.get(document.get_absolute_url()).status_code == 404
    assert client.post(lines_url(document), line_post("new", quantity="1")).status_code == 404
    assert client.post(action_url(document, "activate")).status_code == 404


def test_unknown_record_is_404_and_user_without_role_gets_403(
    client, salesperson, db, django_user_model
):
    client.force_login(salesperson)
    assert client.get("/orders/999999/").status_code == 404
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get("/orders/999999/").status_code == 403


def test_new_page_creates_a_document_and_shows_errors_otherwise(client, salesperson, catalog):
    client.force_login(salesperson)
    url = reverse("opportunity_new")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "", "currency": catalog["currency"].pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_name_error"' in html and 'aria-describedby="id_name_error"' in html
    response = client.post(
        url,
        {
            "name": "New deal",
            "account": catalog["account"].pk,
            "price_list": catalog["price_list"].pk,
            "currency": catalog["currency"].pk,
            "discount_percentage": "0",
            "discount_amount": "0",
            "freight_amount": "0",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "New deal" in page and "created" in page


def test_customizer_cannot_open_the_new_page(client, customizer):
    client.force_login(customizer)
    assert client.get(reverse("quote_new")).status_code == 403


def test_header_save_changes_the_document(client, salesperson, make_document, catalog):
    document = make_document("opportunity", salesperson, lines=1)
    client.force_login(salesperson)
    response = client.post(
        reverse("document_update", kwargs={"kind": "opportunity", "pk": document.pk}),
        {
            "name": "Renamed",
            "account": catalog["account"].pk,
            "price_list": catalog["price_list"].pk,
            "currency": catalog["currency"].pk,
            "discount_percentage": "10",
            "discount_amount": "0",
            "freight_amount": "5",
            "expected_version": document.version,
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.name == "Renamed"
    assert document.total_amount == Decimal("23.00")  # 20 − 10 % + 5 freight


def test_stale_header_save_is_refused_with_a_message(client, salesperson, make_document, catalog):
    document = make_document("opportunity", salesperson)
    client.force_login(salesperson)
    response = client.post(
        reverse("document_update", kwargs={"kind": "opportunity", "pk": document.pk}),
        {
            "name": "Late",
            "currency": catalog["currency"].pk,
            "discount_percentage": "0",
            "discount_amount": "0",
            "freight_amount": "0",
            "expected_version": "0",
        },
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    document.refresh_from_db()
    assert document.name == "Big deal"


def test_htmx_add_line_returns_lines_totals_and_command_bar(
    client, salesperson, make_document, catalog
):
    document = make_document("opportunity", salesperson)
    client.force_login(salesperson)
    response = client.post(lines_url(document), line_post("new", catalog["products"][1], "3"), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    line = document.lines.get()
    # the new row (appended by htmx), and what else changed out of band: never the whole table
    assert html.lstrip().startswith(f'<tr id="line-{line.pk}">')
    assert "<html" not in html and 'id="lines"' not in html
    assert "Widget 1" in html
    assert 'id="totals" aria-live="polite" hx-swap-oob="true"' in html
    assert 'id="total-amount">60.00<' in html  # 3 × 20
    assert 'id="commandbar" class="commandbar-wrap" hx-swap-oob="true"' in html
    assert 'id="add-line"' in html and 'id="timeline"' in html
    assert '<tr id="no-lines" hx-swap-oob="delete">' in html
    assert document.lines.count() == 1


def test_add_line_without_htmx_redirects_back(client, salesperson, make_document, catalog):
    document = make_document("opportunity", salesperson)
    client.force_login(salesperson)
    response = client.post(lines_url(document), line_post("new", catalog["products"][0]))
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()


def test_bad_line_input_shows_errors_and_changes_nothing(client, salesperson, make_document):
    document = make_document("opportunity", salesperson, lines=1)
    client.force_login(salesperson)
    response = client.post(lines_url(document), line_post("new", quantity="-1"), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a product or type a write-in product." in html
    assert document.lines.count() == 1
    # The domain's own words, tied to the field.
    product = document.lines.get().product
    html = client.post(
        lines_url(document), line_post("new", product=product, quantity="-1"), **HX
    ).content.decode()
    assert 'id="id_new-quantity_error"' in html
    assert "The quantity must be greater than zero." in html
    assert document.lines.count() == 1
    response = client.post(lines_url(document), line_post("new", quantity="abc"))
    assert response.status_code == 200
    assert document.lines.count() == 1


def test_write_in_line_needs_a_price(client, salesperson, make_document):
    document = make_document("opportunity", salesperson)
    client.force_login(salesperson)
    html = client.post(
        lines_url(document), line_post("new", write_in_product="Consulting"), **HX
    ).content.decode()
    assert "Enter the price per unit." in html
    client.post(
        lines_url(document),
        line_post("new", write_in_product="Consulting", price_per_unit="150", quantity="2"),
        **HX,
    )
    document.refresh_from_db()
    assert document.total_amount == Decimal("300.00")


def test_edit_line_in_place_updates_line_and_totals(client, salesperson, make_document):
    document = make_document("opportunity", salesperson, lines=1)
    line = document.lines.get()
    client.force_login(salesperson)
    html = client.get(line_url(line), **HX).content.decode()
    assert 'class="editing"' in html and f'form="line-form-{line.pk}"' in html
    page = client.get(line_url(line)).content.decode()  # without htmx: the whole page
    assert "<html" in page and 'class="editing"' in page
    response = client.post(line_url(line), line_post(f"line{line.pk}", line.product, "5"), **HX)
    html = response.content.decode()
    assert 'class="editing"' not in html
    assert 'id="total-amount">50.00<' in html
    line.refresh_from_db()
    assert line.quantity == Decimal("5")


def test_remove_line(client, salesperson, make_document):
    document = make_document("opportunity", salesperson, lines=2)
    line = document.lines.first()
    client.force_login(salesperson)
    html = client.post(line_url(line, "delete"), **HX).content.decode()
    assert document.lines.count() == 1
    assert 'id="total-amount">40.00<' in html  # line 2 stays: 2 × 20
    response = client.post(line_url(document.lines.get(), "delete"))
    assert response.status_code == 302
    assert document.lines.count() == 0


def test_line_pages_need_post_for_delete_and_the_right_record(client, salesperson, make_document):
    a = make_document("opportunity", salesperson, lines=1)
    b = make_document("opportunity", salesperson, lines=1)
    client.force_login(salesperson)
    assert client.put(line_url(a.lines.get(), "delete")).status_code == 405
    wrong = reverse(
        "document_line", kwargs={"kind": "opportunity", "pk": a.pk, "line_id": b.lines.get().pk}
    )
    assert client.get(wrong, **HX).status_code == 404


def test_opportunity_create_quote_goes_to_the_new_quote(client, salesperson, make_document):
    opportunity = make_document("opportunity", salesperson, lines=2)
    client.force_login(salesperson)
    response = client.post(action_url(opportunity, "create_quote"))
    assert response.status_code == 302
    assert response["Location"].startswith("/quotes/")
    html = client.get(response["Location"]).content.decode()
    assert "created from" in html and "Widget 1" in html


def test_submit_with_switch_on_makes_the_order_read_only(
    client, salesperson, make_document, switch_on
):
    order = make_document("salesorder", salesperson, lines=2)
    client.force_login(salesperson)
    html = client.get(order.get_absolute_url()).content.decode()
    assert ">Submit</button>" in html and "Create Invoice" not in html
    # Submit asks first (docs/rules.md#transitions): the order is untouched until confirmed
    response = client.post(action_url(order, "submit"), {"expected_version": order.version})
    assert response.status_code == 200
    assert "Submit ORD-" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "active"
    client.post(action_url(order, "submit"), {"expected_version": order.version, "confirmed": "on"})
    html = client.get(order.get_absolute_url()).content.decode()
    assert "Submitted to the back office on" in html and "; read-only." in html
    assert 'id="header-form"' not in html and ">Save</button>" not in html
    assert "add-line" not in html and "Edit line" not in html
    # and the fragments refuse too
    line = order.lines.first()
    html = client.post(
        line_url(line), line_post(f"line{line.pk}", line.product, "9"), **HX
    ).content.decode()
    line.refresh_from_db()
    assert line.quantity == Decimal("2")


def test_refused_command_shows_the_domains_message(client, salesperson, make_document, switch_on):
    order = make_document("salesorder", salesperson)  # no lines
    client.force_login(salesperson)
    response = client.post(action_url(order, "submit"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="message message-error"' in html and "Submit:" in html
    order.refresh_from_db()
    assert order.state == "active"
    response = client.post(action_url(order, "create_invoice"), follow=True)
    assert "message-error" in response.content.decode()
    response = client.post(action_url(order, "no_such_thing"), follow=True)
    assert response.status_code == 200 and "message-error" in response.content.decode()
    assert client.get(action_url(order, "submit")).status_code == 405


def test_switch_off_order_offers_create_invoice_with_lines_and_totals(
    client, salesperson, make_document
):
    order = make_document("salesorder", salesperson, lines=2)
    client.force_login(salesperson)
    html = client.get(order.get_absolute_url()).content.decode()
    assert "Create Invoice" in html and ">Submit</button>" not in html
    response = client.post(action_url(order, "create_invoice"))
    assert response["Location"].startswith("/invoices/")
    html = client.get(response["Location"]).content.decode()
    assert "Widget 0" in html and 'id="total-amount">60.00<' in html


def test_command_with_a_status_reason(client, salesperson, make_document):
    opportunity = make_document("opportunity", salesperson)
    client.force_login(salesperson)
    client.post(action_url(opportunity, "lose"), {"status_reason": "bogus"})
    opportunity.refresh_from_db()
    assert opportunity.state == "open"
    client.post(action_url(opportunity, "lose"), {"status_reason": "out_sold"})
    opportunity.refresh_from_db()
    assert (opportunity.state, opportunity.status_reason) == ("lost", "out_sold")
    html = client.get(opportunity.get_absolute_url()).content.decode()
    assert "read-only" in html and "Reopen" in html


def test_integration_user_may_edit_a_submitted_order_and_sees_reject(
    client, salesperson, integration_user, make_document, switch_on
):
    order = make_document("salesorder", salesperson, lines=1)
    perform("submit", actor=salesperson, document=order)
    client.force_login(integration_user)
    html = client.get(order.get_absolute_url()).content.decode()
    assert 'id="header-form"' in html and "Reject" in html
    client.post(action_url(order, "reject"), {"reason": "Credit hold"})
    order.refresh_from_db()
    assert order.state == "active"
    client.force_login(salesperson)
    html = client.get(order.get_absolute_url()).content.decode()
    assert "Returned by the back office: Credit hold" in html


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_order_page_query_count_does_not_grow_with_lines(
    client, manager, make_document, django_assert_num_queries
):
    small = make_document("salesorder", manager, lines=1)
    big = make_document("salesorder", manager, lines=100)
    client.force_login(manager)
    _page_queries(client, small.get_absolute_url())  # warm caches (content types, sessions)
    expected = _page_queries(client, small.get_absolute_url())
    with django_assert_num_queries(expected):
        client.get(big.get_absolute_url())


def test_lines_fragment_query_count_does_not_grow_with_lines(client, manager, make_document):
    small = make_document("opportunity", manager, lines=1)
    big = make_document("opportunity", manager, lines=60)
    client.force_login(manager)
    client.get(lines_url(small), **HX)  # warm caches
    with CaptureQueriesContext(connection) as one:
        client.get(lines_url(small), **HX)
    with CaptureQueriesContext(connection) as sixty:
        client.get(lines_url(big), **HX)
    assert len(one) == len(sixty)


@pytest.mark.parametrize("kind", KINDS)
def test_new_page_for_every_kind(client, manager, kind):
    client.force_login(manager)
    response = client.get(reverse(f"{kind}_new"))
    assert response.status_code == 200
    assert '<label for="id_name">' in response.content.decode()


def test_lines_fragment_without_htmx_goes_to_the_page(client, salesperson, make_document):
    document = make_document("quote", salesperson, lines=1)
    client.force_login(salesperson)
    response = client.get(lines_url(document))
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    html = client.get(lines_url(document), **HX).content.decode()
    assert html.lstrip().startswith('<section id="lines"') and "Widget 0" in html


def test_bad_header_input_is_a_form_error_and_changes_nothing(
    client, salesperson, make_document, catalog
):
    document = make_document("quote", salesperson)
    client.force_login(salesperson)
    url = reverse("document_update", kwargs={"kind": "quote", "pk": document.pk})
    base = {
        "name": "X",
        "currency": catalog["currency"].pk,
        "discount_percentage": "0",
        "discount_amount": "0",
        "freight_amount": "0",
    }
    html = client.post(url, {**base, "freight_amount": "abc"}).content.decode()
    assert 'id="id_freight_amount_error"' in html and 'aria-invalid="true"' in html
    # out of range: the form parses it, the domain refuses it, the page ties it to the field
    response = client.post(url, {**base, "discount_percentage": "250"})
    assert response.status_code == 200
    assert 'id="id_discount_percentage_error"' in response.content.decode()
    document.refresh_from_db()
    assert document.name == "Big deal"


def test_header_save_on_a_read_only_record_is_refused(client, salesperson, make_document, catalog):
    quote = make_document("quote", salesperson, lines=1)
    perform("activate", actor=salesperson, document=quote)
    client.force_login(salesperson)
    response = client.post(
        reverse("document_update", kwargs={"kind": "quote", "pk": quote.pk}),
        {
            "name": "Sneaky",
            "currency": catalog["currency"].pk,
            "discount_percentage": "0",
            "discount_amount": "0",
            "freight_amount": "0",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "message-error" in page and "read-only" in page
    quote.refresh_from_db()
    assert quote.name == "Big deal"


def test_refused_line_delete_on_a_read_only_record_is_a_message(client, salesperson, make_document):
    quote = make_document("quote", salesperson, lines=1)
    perform("activate", actor=salesperson, document=quote)
    line = quote.lines.get()
    client.force_login(salesperson)
    html = client.post(line_url(line, "delete"), **HX).content.decode()
    assert 'role="alert"' in html
    response = client.post(line_url(line, "delete"), follow=True)
    assert "message-error" in response.content.decode()
    assert quote.lines.count() == 1


def test_provenance_says_kept_as_given_for_the_back_offices_price(
    client, salesperson, integration_user, make_document, switch_on
):
    order = make_document("salesorder", salesperson, lines=1)
    perform("submit", actor=salesperson, document=order)
    line = order.lines.get()
    client.force_login(integration_user)
    client.post(
        line_url(line),
        line_post(
            f"line{line.pk}", line.product, "2", is_price_overridden="on", price_per_unit="7.5"
        ),
        **HX,
    )
    client.force_login(salesperson)
    html = client.get(order.get_absolute_url()).content.decode()
    assert "Price: kept as given" in html


def test_new_record_takes_the_price_lists_currency_and_zero_discounts(client, salesperson, catalog):
    client.force_login(salesperson)
    response = client.post(
        reverse("quote_new"), {"name": "Quick", "price_list": catalog["price_list"].pk}
    )
    assert response.status_code == 302
    html = client.post(reverse("quote_new"), {"name": "No money"}).content.decode()
    assert 'id="id_currency_error"' in html


GARBAGE = [
    "",
    "x",
    "-1",
    "1e30",
    "99999999999999999999999",
    "0.123456789012345",
    "NaN",
    "Infinity",
    "<script>",
]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_input_never_gives_a_500(client, salesperson, make_document, value):
    document = make_document("salesorder", salesperson, lines=1)
    line = document.lines.get()
    client.force_login(salesperson)
    fields = ["product", "unit", "quantity", "price_per_unit", "manual_discount_amount", "tax"]
    for field in fields:
        for prefix, url in (("new", lines_url(document)), (f"line{line.pk}", line_url(line))):
            data = {**line_post(prefix, line.product, "1"), f"{prefix}-{field}": value}
            assert client.post(url, data, **HX).status_code == 200
    header = reverse("document_update", kwargs={"kind": "salesorder", "pk": document.pk})
    for field in ["account", "price_list", "currency", "discount_percentage", "freight_amount"]:
        response = client.post(header, {"name": "N", field: value, "expected_version": value})
        assert response.status_code in {200, 302}
    for name in ["fulfill", "cancel", "submit", "reject"]:
        response = client.post(
            action_url(document, name),
            {"status_reason": value, "reason": value, "expected_version": value},
        )
        assert response.status_code == 302
    response = client.get(reverse("salesorder_list"), {"page": value, "sort": value, "q": value})
    assert response.status_code == 200


@pytest.mark.parametrize("number", ["١٢", "１２"])
def test_numbers_in_other_scripts_digits_are_refused_on_the_page(
    client, salesperson, make_document, catalog, number
):
    document = make_document("opportunity", salesperson, lines=1)
    client.force_login(salesperson)
    html = client.post(
        lines_url(document), line_post("new", catalog["products"][1], number), **HX
    ).content.decode()
    assert 'id="id_new-quantity_error"' in html
    assert "Write numbers with the digits 0–9." in html
    assert document.lines.count() == 1
    response = client.post(
        reverse("document_update", kwargs={"kind": "opportunity", "pk": document.pk}),
        {"name": "Renamed", "currency": catalog["currency"].pk, "freight_amount": number},
    )
    assert "Write numbers with the digits 0–9." in response.content.decode()
    document.refresh_from_db()
    assert (document.name, document.freight_amount) == ("Big deal", Decimal("0"))

"""The lines table of the record page: a line change answers with its row and what else it
changed (out of band), whatever the order's size; removing a line asks first, with htmx and
without (issues 10.9, 12.2)."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import SalesOrderLine
from tests.orders.views.helpers import HX


def line_url(line, name="document_line"):
    document = line.document
    return reverse(name, kwargs={"kind": document.KIND, "pk": document.pk, "line_id": line.pk})


def add_lines(order, count, catalog):
    """Many lines at once (the page does not care how they came)."""
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
            base_amount=Decimal("10"),
            extended_amount=Decimal("10"),
        )
        for n in range(count)
    )


def edit(client, line, quantity):
    prefix = f"line{line.pk}"
    data = {f"{prefix}-product": line.product_id, f"{prefix}-quantity": quantity}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(line_url(line), data, **HX)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_line_edit_answers_with_one_row_and_the_totals_at_any_size(
    client, manager, make_document, catalog
):
    order = make_document("salesorder", manager, lines=1)
    line = order.lines.get()
    client.force_login(manager)
    edit(client, line, "3")  # warm caches
    small_html, small_queries = edit(client, line, "4")
    add_lines(order, 999, catalog)
    big_html, big_queries = edit(client, line, "5")
    assert big_queries == small_queries
    assert big_html.count("<tr") == 1 and big_html.lstrip().startswith(f'<tr id="line-{line.pk}">')
    assert 'id="totals" aria-live="polite" hx-swap-oob="true"' in big_html
    assert 'id="commandbar" class="commandbar-wrap" hx-swap-oob="true"' in big_html
    assert 'id="timeline"' in big_html and "Changed line 1" in small_html
    assert 'id="doc-version"' in big_html  # the header form sends the new version
    # apart from the timeline (one more edit on it), the answer is the same size
    before_timeline = [
        html.split('<section class="card timeline-card"')[0] for html in (small_html, big_html)
    ]
    assert abs(len(before_timeline[1]) - len(before_timeline[0])) < 40
    assert "Product line saved." in big_html  # said to screen readers


def test_the_page_and_its_queries_at_a_thousand_lines(client, manager, make_document, catalog):
    order = make_document("salesorder", manager, lines=1)
    client.force_login(manager)
    client.get(order.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        small = client.get(order.get_absolute_url()).content.decode()
    add_lines(order, 999, catalog)
    with CaptureQueriesContext(connection) as thousand:
        big = client.get(order.get_absolute_url()).content.decode()
    assert len(thousand) == len(one)
    assert big.count('<tr id="line-') == 1000
    # each row is its cells and two links: no form, no token, no htmx attributes of its own
    per_line = (len(big.encode()) - len(small.encode())) / 999
    assert per_line < 700, per_line
    assert big.count("csrfmiddlewaretoken") == small.count("csrfmiddlewaretoken")


def test_a_row_is_escaped_and_says_what_it_holds(client, manager, make_document):
    order = make_document("quote", manager)
    client.force_login(manager)
    client.post(
        reverse("document_lines", kwargs={"kind": "quote", "pk": order.pk}),
        {
            "new-write_in_product": "<b>Setup</b> & go",
            "new-quantity": "1.5",
            "new-price_per_unit": "1234.5",
        },
    )
    line = order.lines.get()
    html = client.get(order.get_absolute_url()).content.decode()
    row = html.split(f'<tr id="line-{line.pk}">')[1].split("</tr>")[0]
    assert "&lt;b&gt;Setup&lt;/b&gt; &amp; go" in row and "<b>" not in row
    assert "<td>1.5<td>1,234.50" in row and "<td>1,851.75" in row
    assert f'href="/quotes/{order.pk}/lines/{line.pk}/" aria-label="Edit line 1"' in row
    assert f'href="/quotes/{order.pk}/lines/{line.pk}/delete/" aria-label="Remove line 1"' in row


def test_edit_cancel_and_errors_stay_in_the_row(client, salesperson, make_document):
    order = make_document("opportunity", salesperson, lines=2)
    line = order.lines.order_by("line_number").first()
    client.force_login(salesperson)
    form = client.get(line_url(line), **HX).content.decode()
    assert form.lstrip().startswith(f'<tr class="editing" id="line-{line.pk}">')
    assert "hx-swap-oob" not in form
    row = client.get(line_url(line) + "?show=row", **HX).content.decode()
    assert row.lstrip().startswith(f'<tr id="line-{line.pk}">') and "hx-swap-oob" not in row
    bad, _ = edit(client, line, "-1")
    assert 'class="editing"' in bad and "The quantity must be greater than zero." in bad
    assert "hx-swap-oob" not in bad  # nothing else changed
    line.refresh_from_db()
    assert line.quantity == Decimal("2")


def test_add_with_errors_answers_with_the_add_form_in_its_place(client, salesperson, make_document):
    order = make_document("opportunity", salesperson, lines=1)
    client.force_login(salesperson)
    url = reverse("document_lines", kwargs={"kind": "opportunity", "pk": order.pk})
    response = client.post(url, {"new-quantity": "2"}, **HX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#add-line" and response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<form id="add-line"')
    assert "Choose a product or type a write-in product." in html
    assert order.lines.count() == 1


def test_removing_a_line_asks_first_with_htmx(client, salesperson, make_document):
    order = make_document("opportunity", salesperson, lines=2)  # 2 × 10 + 2 × 20
    first, second = order.lines.order_by("line_number")
    client.force_login(salesperson)
    question = client.get(line_url(first, "document_line_delete"), **HX).content.decode()
    assert question.lstrip().startswith(f'<tr class="confirm" id="line-{first.pk}">')
    assert "Remove line 1, Widget 0 (2 × 10.00 = 20.00)?" in question
    assert 'method="post"' in question and "csrfmiddlewaretoken" in question
    assert ">Keep it</a>" in question
    assert order.lines.count() == 2  # asking removes nothing
    removed = client.post(line_url(first, "document_line_delete"), **HX).content.decode()
    assert "<tr" not in removed  # the row goes
    assert "Line 1 (Widget 0) removed." in removed
    assert 'id="total-amount">40.00<' in removed
    assert order.lines.count() == 1
    last = client.post(line_url(second, "document_line_delete"), **HX).content.decode()
    assert last.lstrip().startswith('<tr id="no-lines">')  # the table says it is empty
    assert 'id="total-amount">0.00<' in last


def test_removing_a_line_asks_first_without_javascript(client, salesperson, make_document):
    order = make_document("quote", salesperson, lines=2)
    line = order.lines.order_by("line_number").first()
    client.force_login(salesperson)
    page = client.get(order.get_absolute_url()).content.decode()
    assert f'href="{line_url(line, "document_line_delete")}"' in page  # a link: works anywhere
    question = client.get(line_url(line, "document_line_delete")).content.decode()
    assert "<html" in question and 'class="confirm"' in question
    assert f'action="{line_url(line, "document_line_delete")}"' in question
    assert order.lines.count() == 2
    done = client.post(line_url(line, "document_line_delete"), follow=True).content.decode()
    assert "Line 1 (Widget 0) removed." in done
    assert order.lines.count() == 1


def test_a_read_only_record_offers_no_removal(client, salesperson, make_document):
    from orders.services import perform

    quote = make_document("quote", salesperson, lines=1)
    perform("activate", actor=salesperson, document=quote)
    line = quote.lines.get()
    client.force_login(salesperson)
    page = client.get(quote.get_absolute_url()).content.decode()
    assert "Remove line" not in page and "hx-boost" not in page
    response = client.get(line_url(line, "document_line_delete"))
    assert response.status_code == 302
    html = client.get(line_url(line, "document_line_delete"), **HX).content.decode()
    assert 'class="confirm"' not in html
    assert quote.lines.count() == 1


def test_another_salespersons_line_is_not_found(
    client, salesperson, other_salesperson, make_document
):
    order = make_document("quote", other_salesperson, lines=1)
    line = order.lines.get()
    client.force_login(salesperson)
    assert client.get(line_url(line, "document_line_delete"), **HX).status_code == 404
    assert client.post(line_url(line, "document_line_delete"), **HX).status_code == 404
    assert order.lines.count() == 1

"""The timeline in words people use."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.reports.timeline import document_timeline
from orders.services.documents import document_update, line_update
from orders.services.transitions import salesorder_fulfill, salesorder_submit
from tests.conftest import set_switch
from tests.orders.views.helpers import HX


def titles(document):
    return [entry.title for entry in document_timeline(document)]


def test_header_edits_show_the_fields_that_changed_with_names(salesperson, make_document):
    order = make_document("salesorder", salesperson)
    document_update(actor=salesperson, document=order, freight_amount=Decimal("11"))
    entry = next(e for e in document_timeline(order) if e.changes)
    assert [(c.label, c.before, c.after) for c in entry.changes] == [("Freight", "0.00", "11.00")]
    assert entry.actor == salesperson.get_full_name()
    assert "Changed the header" not in titles(order)


def test_transitions_read_as_labels_not_codes(manager, customizer, make_document):
    set_switch(customizer, True)
    order = make_document("salesorder", manager, lines=1)
    order = salesorder_submit(actor=manager, document=order)
    salesorder_fulfill(actor=manager, document=order, status_reason="partial")
    entries = document_timeline(order)
    fulfilled = next(e for e in entries if e.title.startswith("Fulfilled"))
    assert fulfilled.title == "Fulfilled · Partial"
    assert fulfilled.detail == "Submitted → Fulfilled"
    text = " ".join(f"{e.title} {e.detail}" for e in entries)
    assert "in_progress" not in text and "partial)" not in text
    # the saves that moved the state leave no empty "changed" entries
    assert all(e.changes or e.title != "Changed" for e in entries)


def test_a_kept_price_is_explained_in_plain_language_with_the_rule_behind_details(
    salesperson, integration_user, customizer, make_document
):
    set_switch(customizer, True)
    order = salesorder_submit(
        actor=salesperson, document=make_document("salesorder", salesperson, lines=1)
    )
    line = order.lines.get()
    line_update(actor=integration_user, line=line, quantity=Decimal("5"))
    entry = next(e for e in document_timeline(order) if e.title.startswith("Changed line 1"))
    assert entry.detail.startswith(
        "Prices kept as the back office sent them: the integration is on"
    )
    assert "SOP" in entry.notation and "SOP" not in entry.detail
    assert ("Quantity", "2", "5") in [(c.label, c.before, c.after) for c in entry.changes]


def test_the_timeline_refreshes_after_an_in_page_line_edit(client, salesperson, make_document):
    document = make_document("opportunity", salesperson, lines=1)
    line = document.lines.get()
    client.force_login(salesperson)
    response = client.post(
        reverse("document_line", args=["opportunity", document.pk, line.pk]),
        {f"line{line.pk}-product": line.product_id, f"line{line.pk}-quantity": "7"},
        **HX,
    )
    html = response.content.decode()
    timeline = html.split('id="timeline"')[1]
    assert (
        'hx-swap-oob="true"'
        in html.split('id="timeline"')[0].rsplit("<section", 1)[1] + (timeline.split(">")[0])
    )
    assert "Changed line 1" in timeline and "<strong>7</strong>" in timeline


def test_the_timeline_is_focusable_and_labelled(client, salesperson, make_document):
    document = make_document("opportunity", salesperson, lines=1)
    client.force_login(salesperson)
    url = reverse("document_timeline", kwargs={"kind": "opportunity", "pk": document.pk})
    page = client.get(document.get_absolute_url()).content.decode()
    # the page asks for its timeline as soon as it is shown (and links to it without htmx)
    assert f'hx-get="{url}" hx-trigger="load"' in page and f'<a href="{url}">' in page
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<section class="card timeline-card" id="timeline"')
    assert 'id="timeline" tabindex="0" aria-labelledby="timeline-h"' in html
    assert "Added line 1" in html and "<html" not in html
    whole = client.get(url).content.decode()  # without JavaScript: the page, timeline in place
    assert "<html" in whole and 'id="timeline" tabindex="0"' in whole


def test_another_salespersons_timeline_is_not_found(
    client, salesperson, other_salesperson, make_document
):
    document = make_document("opportunity", other_salesperson, lines=1)
    client.force_login(salesperson)
    url = reverse("document_timeline", kwargs={"kind": "opportunity", "pk": document.pk})
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_the_timeline_costs_the_same_queries_with_few_or_many_edits(salesperson, make_document):
    document = make_document("opportunity", salesperson, lines=2)
    document_timeline(document)  # the organization row exists from here on
    with CaptureQueriesContext(connection) as few:
        document_timeline(document)
    for n in range(10):
        document_update(actor=salesperson, document=document, name=f"Name {n}")
        line_update(actor=salesperson, line=document.lines.first(), quantity=Decimal(n + 3))
    with CaptureQueriesContext(connection) as many:
        document_timeline(document)
    assert len(many) == len(few)


def test_an_edit_on_a_long_order_is_on_the_timeline_with_its_change(
    client, salesperson, make_document
):
    """More line history than the timeline shows (a line added 210 times): the window is the
    newest rows, and an edited line is compared with its version before the window."""
    document = make_document("opportunity", salesperson, lines=210)
    first = document.lines.order_by("line_number").first()
    line_update(actor=salesperson, line=first, quantity=Decimal("7"))
    entry = next(e for e in document_timeline(document) if e.title.startswith("Changed line 1:"))
    assert [(c.label, c.before, c.after) for c in entry.changes] == [("Quantity", "2", "7")]

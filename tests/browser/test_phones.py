"""Phones: at 390 px no page scrolls sideways; lists keep number, name, status and total in
view; the product lines scroll inside their box."""

import pytest

from orders.services.transitions import salesorder_submit
from tests.conftest import set_switch
from tests.orders.views.helpers import build_document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def too_wide(page, url) -> int | None:
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    return width if width > PHONE["width"] else None


def test_no_page_scrolls_sideways_on_a_phone(page, live_server, people, shop, sign_in):
    page.set_viewport_size(PHONE)
    set_switch(people["customizer"], True)
    opportunity = build_document(shop, "opportunity", people["sales"], lines=3)
    quote = build_document(shop, "quote", people["sales"], lines=2)
    order = build_document(shop, "salesorder", people["sales"], lines=2)
    submitted = salesorder_submit(
        actor=people["sales"], document=build_document(shop, "salesorder", people["sales"], lines=1)
    )
    invoice = build_document(shop, "invoice", people["manager"], lines=2)
    wide = {}
    sign_in("manager")
    for path in [
        "/",
        "/opportunities/",
        "/quotes/",
        "/orders/",
        "/orders/?work=waiting",
        "/invoices/",
        opportunity.get_absolute_url(),
        f"/opportunities/{opportunity.pk}/lines/{opportunity.lines.first().pk}/",
        quote.get_absolute_url(),
        order.get_absolute_url(),
        submitted.get_absolute_url(),
        invoice.get_absolute_url(),
        "/orders/new/",
        "/products/",
        f"/products/{shop['products'][0].pk}/",
        "/pricelists/",
        f"/pricelists/{shop['price_list'].pk}/",
    ]:
        width = too_wide(page, f"{live_server.url}{path}")
        if width:
            wide[path] = width
    page.context.clear_cookies()
    sign_in("customizer")
    for path in [
        "/",
        "/app-settings/",
        "/app-settings/organization/",
        "/app-settings/integration/",
        "/app-settings/integration/off/",
    ]:
        width = too_wide(page, f"{live_server.url}{path}")
        if width:
            wide[f"customizer {path}"] = width
    assert wide == {}


def test_lists_keep_number_name_status_and_total_in_view(page, live_server, people, shop, sign_in):
    page.set_viewport_size(PHONE)
    build_document(shop, "salesorder", people["manager"], lines=2, name="A fairly long order name")
    sign_in("manager")
    page.goto(f"{live_server.url}/orders/")
    for header in ("Number", "Name", "Status", "Total"):
        box = page.locator("#doc-table thead th", has_text=header).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            header
        )


def test_the_lines_table_scrolls_inside_its_box(page, live_server, people, shop, sign_in):
    page.set_viewport_size(PHONE)
    order = build_document(shop, "salesorder", people["sales"], lines=2)
    sign_in("sales")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    box = page.locator("#lines .table-wrap")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

"""docs/rules.md#edit-conflicts in a real browser: a stale save shows the user's changes beside
the saved values and never undoes someone else's."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import SalesOrder
from orders.services.documents import document_update, line_update
from tests.orders.views.helpers import build_document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_stale_header_save_shows_the_conflict_and_applies_only_the_users_change(
    page, live_server, people, shop, sign_in
):
    order = build_document(shop, "salesorder", people["sales"], lines=1)
    sign_in("sales")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    header = page.locator("#header-form")
    header.get_by_label("Description").fill("Deliver to the back door")
    document_update(actor=people["manager"], document=order, freight_amount=Decimal("11"))

    header.get_by_role("button", name="Save").click()

    conflict = page.locator("#header-conflict")
    expect(conflict).to_contain_text("changed by someone else since you opened it")
    expect(conflict.get_by_role("row", name="Description")).to_contain_text(
        "Deliver to the back door"
    )
    expect(conflict.get_by_role("row", name="Freight amount")).to_contain_text("11.00")
    expect(conflict).not_to_contain_text("version")
    expect(page.locator("#header-form").get_by_label("Freight amount")).to_have_value("11.00")
    conflict.get_by_role("button", name="Apply my changes").click()

    expect(page.locator(".messages")).to_contain_text("Saved.")
    order = SalesOrder.objects.get(pk=order.pk)
    assert order.description == "Deliver to the back door"
    assert order.freight_amount == Decimal("11")


def test_a_stale_line_save_shows_the_conflict_in_place_and_discard_keeps_the_saved_line(
    page, live_server, people, shop, sign_in
):
    order = build_document(shop, "salesorder", people["sales"], lines=1)
    sign_in("sales")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    page.get_by_role("link", name="Edit line 1").click()
    row = page.locator("tr.editing")
    row.get_by_label("Tax").fill("3")
    line_update(actor=people["manager"], line=order.lines.get(), quantity=Decimal("7"))

    row.get_by_role("button", name="Save").click()

    conflict = page.locator("#line-conflict")
    expect(conflict.get_by_role("row", name="Quantity")).to_contain_text("7")
    expect(conflict.get_by_role("row", name="Tax")).to_contain_text("3.00")
    conflict.get_by_role("link", name="Discard my changes").click()
    expect(page.locator("#line-conflict")).to_have_count(0)
    expect(page.locator("#total-amount")).to_have_text("70.00")
    line = order.lines.get()
    assert (line.quantity, line.tax) == (Decimal("7"), Decimal("0"))

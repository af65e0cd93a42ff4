"""The hand-over in a real browser: Submit asks first (and going back changes nothing), and a
salesperson requests a change on a submitted order — without JavaScript doing the work, and
with no serious or critical axe violation on the new pages."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import ChangeRequest, SalesOrder
from tests.browser.axe import serious
from tests.conftest import set_switch
from tests.orders.views.helpers import build_document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def command(page, name):
    return page.get_by_role("toolbar", name="Commands").get_by_role("button", name=name)


def test_submit_asks_first_and_going_back_changes_nothing(page, live_server, people, shop, sign_in):
    set_switch(people["customizer"], True)
    order = build_document(shop, "salesorder", people["sales"], lines=1)
    sign_in("sales")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")

    command(page, "Submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Submit {order.number} to the back office?"
    )
    expect(page.get_by_text("it is read-only until the back office answers")).to_be_visible()
    assert serious(page) == []
    page.get_by_role("link", name="Go back to the order").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    assert SalesOrder.objects.get(pk=order.pk).state == "active"

    command(page, "Submit").click()
    page.get_by_role("button", name="Submit to the back office").click()
    expect(page.locator(".banner-readonly")).to_contain_text("Submitted to the back office on")
    assert SalesOrder.objects.get(pk=order.pk).state == "submitted"


def test_salesperson_requests_a_change_on_a_submitted_order(
    page, live_server, people, shop, sign_in
):
    from orders.services import salesorder_submit

    set_switch(people["customizer"], True)
    order = salesorder_submit(
        actor=people["sales"],
        document=build_document(shop, "salesorder", people["sales"], lines=1, name="Desk chairs"),
    )
    sign_in("sales")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")

    command(page, "Request a change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request a change to {order.number}")
    note = page.get_by_label("What should change")
    expect(note).to_have_attribute("maxlength", "2000")
    page.get_by_role("button", name="Request the change").click()  # nothing typed
    expect(page.get_by_text("Say what should change.")).to_be_visible()
    expect(note).to_be_focused()
    expect(note).to_have_attribute("aria-invalid", "true")
    assert serious(page) == []
    assert not ChangeRequest.objects.exists()

    note.fill("The customer wants 12 chairs, not 10.")
    page.get_by_role("button", name="Request the change").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    banner = page.locator("#change-request")
    expect(banner).to_contain_text("Change requested")
    expect(banner).to_contain_text("by Sam Seller: “The customer wants 12 chairs, not 10.”")
    expect(page.locator(".banner-readonly")).to_contain_text("read-only")
    expect(command(page, "Request a change")).to_have_count(0)  # one open request at a time
    expect(
        page.get_by_text("Change requested by Sam Seller: The customer wants 12")
    ).to_be_visible()
    assert serious(page) == []

    page.goto(f"{live_server.url}/")
    card = page.locator("section", has=page.locator("#work-change_requested"))
    expect(card).to_contain_text("Desk chairs")
    expect(card).to_contain_text("The customer wants 12 chairs")
    card.get_by_role("link", name="Change requested").click()
    expect(page.locator("#doc-table tbody tr")).to_have_count(1)
    assert serious(page) == []

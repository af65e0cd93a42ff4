"""What a salesperson and a system customizer do, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Opportunity, SalesOrder
from settings_app.models import Organization
from tests.conftest import set_switch
from tests.orders.views.helpers import build_document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def click_command(page, name):
    page.get_by_role("toolbar", name="Commands").get_by_role("button", name=name).click()


def add_product(page, product_label, quantity):
    form = page.locator("form.add-line")
    form.get_by_label("Product", exact=True).select_option(label=product_label)
    form.get_by_label("Quantity").fill(quantity)
    form.get_by_role("button", name="Add product").click()


def test_salesperson_takes_a_deal_from_opportunity_to_a_submitted_read_only_order(
    page, live_server, people, shop, sign_in
):
    set_switch(people["customizer"], True)
    sign_in("sales")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Opportunities").click()
    page.get_by_role("link", name="New opportunity").click()
    page.get_by_label("Name").fill("Fleet renewal")
    page.get_by_label("Account").select_option(label="Contoso")
    page.get_by_label("Price list").select_option(label="Retail")
    page.get_by_label("Currency").select_option(label="USD")
    page.get_by_role("button", name="Create opportunity").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fleet renewal")

    add_product(page, "P-0 Widget 0", "3")
    expect(page.locator("#lines tbody")).to_contain_text("Widget 0")
    add_product(page, "P-1 Widget 1", "1")
    expect(page.locator("#total-amount")).to_have_text("50.00")  # 3 × 10 + 1 × 20

    click_command(page, "Create Quote")
    expect(page).to_have_url(re.compile(r"/quotes/\d+/$"))
    expect(page.locator("#lines tbody")).to_contain_text("Widget 1")
    click_command(page, "Activate")
    expect(page.locator(".record-meta")).to_contain_text("Active")
    click_command(page, "Create Order")
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    expect(page.locator("#total-amount")).to_have_text("50.00")
    expect(page.get_by_role("button", name="Create Invoice")).to_have_count(0)
    click_command(page, "Submit")
    page.get_by_role("button", name="Submit to the back office").click()  # it asks first

    expect(page.locator(".banner-readonly")).to_contain_text("Submitted to the back office on")
    expect(page.locator(".banner-readonly")).to_contain_text("by Sam Seller; read-only")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.locator("#lines input, #lines select")).to_have_count(0)
    assert SalesOrder.objects.get().state == "submitted"
    assert Opportunity.objects.get().name == "Fleet renewal"


def test_with_the_switch_off_an_order_becomes_an_invoice_with_its_lines(
    page, live_server, people, shop, sign_in
):
    order = build_document(shop, "salesorder", people["sales"], lines=2)
    sign_in("sales")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    expect(page.get_by_role("button", name="Submit")).to_have_count(0)
    click_command(page, "Create Invoice")
    expect(page).to_have_url(re.compile(r"/invoices/\d+/$"))
    lines = page.locator("#lines tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.first).to_contain_text("Widget 0")
    expect(page.locator("#total-amount")).to_have_text("60.00")


def test_editing_a_quantity_updates_the_line_and_totals_without_a_reload(
    page, live_server, people, shop, sign_in
):
    opportunity = build_document(shop, "opportunity", people["sales"], lines=1)
    sign_in("sales")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    page.evaluate("window.__stillHere = true")
    expect(page.locator("#total-amount")).to_have_text("20.00")
    page.get_by_role("link", name="Edit line 1").click()
    row = page.locator("tr.editing")
    row.get_by_label("Quantity").fill("7")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("tr.editing")).to_have_count(0)
    expect(page.locator("#lines tbody")).to_contain_text("7")
    expect(page.locator("#total-amount")).to_have_text("70.00")
    assert page.evaluate("window.__stillHere") is True


def test_list_filters_update_the_table_in_place_and_the_address(
    page, live_server, people, shop, sign_in
):
    build_document(shop, "quote", people["sales"], name="Alpha deal")
    build_document(shop, "quote", people["sales"], name="Beta deal")
    sign_in("sales")
    page.goto(f"{live_server.url}/quotes/")
    page.evaluate("window.__stillHere = true")
    page.get_by_label("Search").fill("beta")
    expect(page.locator("#doc-table tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=beta"))
    assert page.evaluate("window.__stillHere") is True


def test_customizer_turns_the_integration_off_through_the_confirmation(
    page, live_server, people, shop, sign_in
):
    set_switch(people["customizer"], True)
    sign_in("customizer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="App Settings").click()
    entry = page.locator("#sop-entry")
    expect(entry).to_contain_text("Back Office Order Processing Integration")
    entry.get_by_role("link", name="Manage").click()
    toggle = page.get_by_role("switch", name="Back Office Order Processing Integration")
    expect(toggle).to_have_attribute("aria-checked", "true")
    toggle.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Turn off")
    expect(page.locator("#submitted-count")).to_have_text("0")
    page.get_by_role("button", name="Turn the integration off").click()
    expect(page.locator("#id_confirm_error")).to_be_visible()  # nothing without the box
    assert Organization.load().is_sop_integration_enabled
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Turn the integration off").click()
    expect(page).to_have_url(re.compile(r"/app-settings/$"))
    expect(page.locator("#sop-entry")).to_have_count(0)
    expect(page.locator("#switch-doc")).to_contain_text("manage.py sop_integration on")
    assert not Organization.load().is_sop_integration_enabled
    page.locator("#switch-doc").get_by_role("link", name="Organization page of the admin").click()
    expect(page.get_by_label("Back office order processing integration")).not_to_be_checked()


def test_salesperson_is_refused_app_settings(page, live_server, people, sign_in, console_errors):
    sign_in("sales")
    expect(page.get_by_role("link", name="App Settings")).to_have_count(0)
    response = page.goto(f"{live_server.url}/app-settings/")
    assert response.status == 403
    console_errors.clear()  # the browser logs the 403 itself


def test_an_expired_session_goes_to_sign_in_instead_of_swapping_a_fragment(
    page, live_server, people, shop, sign_in
):
    opportunity = build_document(shop, "opportunity", people["sales"], lines=1)
    sign_in("sales")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    page.context.clear_cookies()
    page.get_by_role("link", name="Edit line 1").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_manager_follows_a_home_card_and_bulk_submits_from_the_list(
    page, live_server, people, shop, sign_in
):
    set_switch(people["customizer"], True)
    ready = build_document(shop, "salesorder", people["sales"], lines=1, name="Ready order")
    empty = build_document(shop, "salesorder", people["sales"], name="Empty order")
    sign_in("manager")
    card = page.locator("section.work-card", has=page.locator("#work-not_submitted"))
    expect(card).to_contain_text("Ready order")
    expect(card).to_contain_text("Sam Seller")
    card.get_by_role("link", name="Active, not yet submitted").click()
    expect(page).to_have_url(re.compile(r"work=not_submitted"))
    page.get_by_label("Select all on this page").check()
    page.get_by_label("With the selected").select_option(label="Submit")
    page.get_by_role("button", name="Apply to selected").click()
    # it asks first, naming both, and nothing has happened yet
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Submit 2 sales orders to the back office?"
    )
    expect(page.locator("table.data")).to_contain_text(empty.number)
    assert SalesOrder.objects.get(pk=ready.pk).state == "active"
    page.get_by_role("button", name="Submit 2 sales orders").click()
    expect(page.locator("p.lead")).to_contain_text("1 done · 1 refused")
    refused = page.locator("tr", has_text=empty.number)
    expect(refused).to_contain_text("needs at least one product")
    assert SalesOrder.objects.get(pk=ready.pk).state == "submitted"
    page.get_by_role("link", name="Back to sales orders").first.click()
    expect(page).to_have_url(re.compile(r"/orders/\?"))


def test_the_timeline_shows_an_in_page_edit_at_once(page, live_server, people, shop, sign_in):
    opportunity = build_document(shop, "opportunity", people["sales"], lines=1)
    sign_in("sales")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    page.get_by_role("link", name="Edit line 1").click()
    row = page.locator("tr.editing")
    row.get_by_label("Quantity").fill("7")
    row.get_by_role("button", name="Save").click()
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Changed line 1")
    expect(timeline.locator(".tl-changes").first).to_contain_text("Quantity 2 → 7")
    expect(timeline).to_contain_text("Sam Seller")


def test_unit_choices_follow_the_chosen_product(page, live_server, people, shop, sign_in):
    from decimal import Decimal

    from tests.orders.factories import (
        PriceListItemFactory,
        ProductFactory,
        UnitFactory,
        UnitGroupFactory,
    )

    boxes = UnitGroupFactory(name="Boxes", base_unit_name="Box")
    box = UnitFactory(group=boxes, name="Box of 12", quantity=Decimal("12"))
    boxed = ProductFactory(number="B-1", name="Boxed", unit_group=boxes, default_unit=box)
    PriceListItemFactory(price_list=shop["price_list"], product=boxed, unit=box)
    opportunity = build_document(shop, "opportunity", people["sales"])
    sign_in("sales")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    form = page.locator("form.add-line")
    form.get_by_label("Product", exact=True).select_option(label="P-0 Widget 0")
    unit = form.get_by_label("Unit")
    expect(unit.locator("option:not([disabled])")).to_have_count(2)  # Default, Each
    form.get_by_label("Product", exact=True).select_option(label="B-1 Boxed")
    expect(unit.locator("option:not([disabled])", has_text="Box of 12")).to_have_count(1)
    expect(unit.locator("option:not([disabled])", has_text="Each")).to_have_count(0)


def test_removing_a_line_asks_first_and_keeps_the_rest_of_the_table(
    page, live_server, people, shop, sign_in, console_errors
):
    opportunity = build_document(shop, "opportunity", people["sales"], lines=2)
    sign_in("sales")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    page.evaluate("window.__stillHere = true")
    expect(page.locator("#total-amount")).to_have_text("60.00")  # 2 × 10 + 2 × 20
    page.get_by_role("link", name="Remove line 1").click()
    question = page.locator("tr.confirm")
    expect(question).to_contain_text("Remove line 1, Widget 0 (2 × 10.00 = 20.00)?")
    confirm = question.get_by_role("button", name="Remove line 1")
    expect(confirm).to_be_focused()
    question.get_by_role("link", name="Keep it").click()
    expect(page.locator("tr.confirm")).to_have_count(0)
    expect(page.locator("#lines tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Remove line 1").click()
    page.locator("tr.confirm").get_by_role("button", name="Remove line 1").click()
    expect(page.locator("#lines tbody tr")).to_have_count(1)
    expect(page.locator("#lines tbody")).not_to_contain_text("Widget 0")
    expect(page.locator("#total-amount")).to_have_text("40.00")
    expect(page.locator("#line-status")).to_have_text("Line 1 (Widget 0) removed.")
    assert opportunity.lines.count() == 1
    # a product added to the table is a row like the others: it can be edited in place
    add_product(page, "P-2 Widget 2", "1")
    expect(page.locator("#total-amount")).to_have_text("70.00")
    page.get_by_role("link", name="Edit line 3").click()
    row = page.locator("tr.editing")
    row.get_by_label("Quantity").fill("2")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#total-amount")).to_have_text("100.00")
    expect(page.locator("#lines tbody tr")).to_have_count(2)
    assert page.evaluate("window.__stillHere") is True


def test_the_first_product_replaces_the_empty_table_row(
    page, live_server, people, shop, sign_in, console_errors
):
    opportunity = build_document(shop, "opportunity", people["sales"])
    sign_in("sales")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    expect(page.locator("#lines tbody")).to_contain_text("No products yet.")
    add_product(page, "P-0 Widget 0", "1")
    expect(page.locator("#lines tbody tr")).to_have_count(1)
    expect(page.locator("#lines tbody")).not_to_contain_text("No products yet.")
    # the add form came back empty, ready for the next product
    expect(page.locator("form.add-line").get_by_label("Quantity")).to_have_value("")
    page.get_by_role("link", name="Remove line 1").click()
    page.locator("tr.confirm").get_by_role("button", name="Remove line 1").click()
    expect(page.locator("#lines tbody")).to_contain_text("No products yet.")
    expect(page.locator("#total-amount")).to_have_text("0.00")

"""axe-core on the main pages: no serious or critical violations."""

import pytest

from settings_app import roles
from tests.browser.axe import serious
from tests.conftest import set_switch
from tests.orders.views.helpers import build_document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_sign_in_page(page, live_server, console_errors, transactional_db):
    page.goto(f"{live_server.url}/accounts/login/")
    assert serious(page) == []


def test_sales_pages(page, live_server, people, shop, sign_in):
    set_switch(people["customizer"], True)
    opportunity = build_document(shop, "opportunity", people["sales"], lines=2)
    order = build_document(shop, "salesorder", people["sales"], lines=2)
    sign_in("sales")
    problems = {}
    pages = [
        "/",
        "/opportunities/",
        "/orders/",
        opportunity.get_absolute_url(),
        f"/opportunities/{opportunity.pk}/lines/{opportunity.lines.first().pk}/",  # a line in edit
        # a line's removal asked first
        f"/opportunities/{opportunity.pk}/lines/{opportunity.lines.first().pk}/delete/",
        f"/opportunities/{opportunity.pk}/timeline/",  # the page with its timeline in place
        order.get_absolute_url(),
        "/opportunities/new/",
        "/products/",
        f"/products/{shop['products'][0].pk}/",
        "/pricelists/",
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        found = serious(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_app_settings_pages(page, live_server, people, shop, sign_in):
    set_switch(people["customizer"], True)
    sign_in("customizer")
    problems = {}
    for path in [
        "/app-settings/",
        "/app-settings/organization/",
        "/app-settings/integration/",
        "/app-settings/integration/off/",
    ]:
        page.goto(f"{live_server.url}{path}")
        found = serious(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_manager_pages_with_work_cards_charts_team_views_and_bulk_results(
    page, live_server, people, shop, sign_in
):
    from orders.services.transitions import salesorder_submit

    set_switch(people["customizer"], True)
    order = build_document(shop, "salesorder", people["sales"], lines=2)
    salesorder_submit(
        actor=people["sales"], document=build_document(shop, "salesorder", people["sales"], lines=1)
    )
    sign_in("manager")
    problems = {}
    for path in ["/", "/orders/", "/orders/?work=waiting&view=team", order.get_absolute_url()]:
        page.goto(f"{live_server.url}{path}")
        page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
        found = serious(page)
        if found:
            problems[path] = found
    page.goto(f"{live_server.url}/orders/")
    page.get_by_label(f"Select {order.number}").check()
    page.get_by_label("With the selected").select_option(label="Submit")
    page.get_by_role("button", name="Apply to selected").click()
    page.get_by_role("heading", name="Submit 1 sales order to the back office?").wait_for()
    found = serious(page)
    if found:
        problems["bulk question"] = found
    page.get_by_role("button", name="Submit 1 sales order").click()
    page.get_by_role("heading", name="Submit: what was done").wait_for()
    found = serious(page)
    if found:
        problems["bulk result"] = found
    assert problems == {}


def test_the_integration_users_record_page(page, live_server, people, shop, sign_in):
    """The amounts entered by hand, and the note when totals differ from the lines."""
    from decimal import Decimal

    from orders.services import perform
    from orders.services.documents import line_update
    from tests.factories import UserFactory

    set_switch(people["customizer"], True)
    back_office = UserFactory(
        username="backoffice", role=roles.BACK_OFFICE, is_integration_user=True
    )
    order = build_document(shop, "salesorder", people["sales"], lines=2)
    perform("submit", actor=people["sales"], document=order)
    line = order.lines.first()
    line_update(actor=back_office, line=line, extended_amount=Decimal("1.00"))
    sign_in("backoffice")
    problems = {}
    for path in (order.get_absolute_url(), f"/orders/{order.pk}/lines/{line.pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert page.get_by_text("Totals differ from the sum of the lines by").count() == 1
        found = serious(page)
        if found:
            problems[path] = found
    assert problems == {}

"""Words users know: the sync chip, Dynamics' command names, one status, plain messages,
related documents, units of the product's group, a single price list preselected."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from orders.models import Delivery, Endpoint
from orders.services.documents import document_update
from orders.services.transitions import (
    opportunity_create_quote,
    quote_activate,
    quote_create_order,
    salesorder_submit,
)
from tests.conftest import set_switch
from tests.orders.factories import ProductFactory, UnitFactory, UnitGroupFactory


def chip(client, order) -> str:
    html = client.get(order.get_absolute_url()).content.decode()
    if 'id="sync-status"' not in html:
        return ""
    return html.split('id="sync-status">')[1].split("<")[0]


def test_the_sync_chip_says_where_the_order_is_in_words(
    client, manager, customizer, integration_user, make_document
):
    set_switch(customizer, True)
    client.force_login(manager)
    order = make_document("salesorder", manager, lines=1)
    assert chip(client, order) == ""  # not submitted: no chip
    endpoint = Endpoint.objects.create(url="https://back-office.example/hooks", secret="whsec_x")
    order = salesorder_submit(actor=manager, document=order)
    assert chip(client, order) == "Sending to back office"
    deliveries = Delivery.objects.filter(ordering_key=f"salesorder:{order.pk}")
    deliveries.update(status=Delivery.Status.FAILING)
    assert chip(client, order) == "Delivery failing"
    deliveries.update(status=Delivery.Status.QUEUED)
    Endpoint.objects.filter(pk=endpoint.pk).update(is_enabled=False)
    assert chip(client, order) == "Delivery paused"
    deliveries.update(status=Delivery.Status.DELIVERED)
    assert chip(client, order) == "Sent to back office"
    order.refresh_from_db()
    document_update(actor=integration_user, document=order, last_back_office_submit=timezone.now())
    assert chip(client, order) == "Back office acknowledged"
    listed = client.get(reverse("salesorder_list")).content.decode()
    assert "Back office acknowledged" in listed


def test_commands_use_dynamics_names(client, manager, make_document):
    order = make_document("salesorder", manager, lines=1)
    client.force_login(manager)
    html = client.get(order.get_absolute_url()).content.decode()
    for label in ("Fulfill Order", "Cancel Order", "Create Invoice"):
        assert f">{label}</button>" in html


def test_a_status_equal_to_its_state_is_shown_once(client, manager, make_document):
    from orders.services.transitions import opportunity_win

    opportunity = opportunity_win(actor=manager, document=make_document("opportunity", manager))
    client.force_login(manager)
    html = client.get(opportunity.get_absolute_url()).content.decode()
    meta = html.split('class="record-meta"')[1].split("</p>")[0]
    assert meta.count("Won") == 1


def test_a_stale_save_says_so_without_versions(client, salesperson, make_document):
    document = make_document("opportunity", salesperson)
    client.force_login(salesperson)
    response = client.post(
        reverse("document_update", args=["opportunity", document.pk]),
        {
            "name": "New name",
            "currency": document.currency_id,
            "price_list": document.price_list_id,
            "expected_version": document.version + 5,
        },
    )
    html = response.content.decode()
    assert (
        "changed by someone else" in html
        and "version" not in html.lower().split("changed by someone else")[1].split("</")[0]
    )


def test_form_errors_are_in_the_pages_words(client, salesperson, make_document):
    document = make_document("opportunity", salesperson)
    client.force_login(salesperson)
    response = client.post(
        reverse("document_lines", args=["opportunity", document.pk]),
        {"new-product": "999999", "new-quantity": "many"},
    )
    html = response.content.decode()
    assert "Select a valid choice" not in html and "Choose product from the list." in html
    assert "Enter quantity as a number." in html


def test_opportunity_page_lists_its_quotes_and_orders_and_create_order_can_win_it(
    client, manager, make_document
):
    opportunity = make_document("opportunity", manager, lines=1)
    quote = quote_activate(
        actor=manager, document=opportunity_create_quote(actor=manager, document=opportunity)
    )
    client.force_login(manager)
    html = client.get(quote.get_absolute_url()).content.decode()
    assert f"Close {opportunity.number} as won" in html
    response = client.post(
        reverse("document_action", args=["quote", quote.pk, "create_order"]),
        {"close_opportunity": "on"},
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.state == "won"
    html = client.get(opportunity.get_absolute_url()).content.decode()
    assert quote.number in html and opportunity.orders.get().number in html


def test_create_order_leaves_the_opportunity_open_unless_asked(manager, make_document):
    opportunity = make_document("opportunity", manager, lines=1)
    quote = quote_activate(
        actor=manager, document=opportunity_create_quote(actor=manager, document=opportunity)
    )
    quote_create_order(actor=manager, document=quote)
    opportunity.refresh_from_db()
    assert opportunity.state == "open"


def test_unit_choices_follow_the_products_unit_group(client, salesperson, make_document, catalog):
    boxes = UnitGroupFactory(name="Boxes", base_unit_name="Box")
    box = UnitFactory(group=boxes, name="Box of 12", quantity=Decimal("12"))
    ProductFactory(number="B-1", name="Boxed", unit_group=boxes, default_unit=box)
    document = make_document("opportunity", salesperson, lines=1)
    line = document.lines.get()
    client.force_login(salesperson)
    html = client.get(reverse("document_line", args=["opportunity", document.pk, line.pk])).content
    edit_units = html.decode().split(f'id="id_line{line.pk}-unit"')[1].split("</select>")[0]
    assert "Box of 12" not in edit_units and "Each" in edit_units
    add_form = client.get(document.get_absolute_url()).content.decode()
    assert f'data-group="{boxes.pk}"' in add_form and f'data-unit-group="{boxes.pk}"' in add_form


def test_the_only_price_list_is_preselected(client, salesperson, catalog):
    client.force_login(salesperson)
    html = client.get(reverse("opportunity_new")).content.decode()
    assert f'<option value="{catalog["price_list"].pk}" selected>' in html


def test_admin_shows_money_at_currency_precision_and_people_by_name(
    client, admin_user, manager, make_document
):
    order = make_document("salesorder", manager, lines=1)
    client.force_login(admin_user)
    html = client.get(reverse("admin:orders_salesorder_changelist")).content.decode()
    assert f"{order.total_amount:.2f}" in html and f"{order.total_amount:.4f}" not in html
    assert manager.get_full_name() in html
    html = client.get(reverse("admin:orders_salesorder_change", args=[order.pk])).content.decode()
    assert "admin-autocomplete" in html and 'name="quote"' in html

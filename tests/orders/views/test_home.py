"""The home page is a work surface: each role's queues, each card linking to its list."""

from django.urls import reverse

from orders.models import Delivery, Endpoint
from orders.services.transitions import salesorder_reject, salesorder_submit
from tests.conftest import set_switch


def submitted(make_document, owner, **kwargs):
    order = make_document("salesorder", owner, lines=1, **kwargs)
    return salesorder_submit(actor=owner, document=order)


def test_salesperson_sees_a_returned_order_with_the_back_offices_reason(
    client, salesperson, integration_user, customizer, make_document
):
    set_switch(customizer, True)
    order = submitted(make_document, salesperson, name="Returned one")
    salesorder_reject(actor=integration_user, document=order, reason="Credit limit exceeded")
    waiting = submitted(make_document, salesperson, name="Waiting one")
    make_document("salesorder", salesperson, name="Fresh one")
    client.force_login(salesperson)
    html = client.get("/").content.decode()
    returned_card = html.split('id="work-returned"')[1].split("</section>")[0]
    assert "Returned one" in returned_card and "Credit limit exceeded" in returned_card
    waiting_card = html.split('id="work-waiting"')[1].split("</section>")[0]
    assert waiting.number in waiting_card and "waiting" in waiting_card
    active_card = html.split('id="work-not_submitted"')[1].split("</section>")[0]
    assert "Fresh one" in active_card and "Returned one" not in active_card
    assert f"{reverse('salesorder_list')}?work=returned" in html


def test_the_card_links_to_the_same_records_in_the_list(
    client, salesperson, integration_user, customizer, make_document
):
    set_switch(customizer, True)
    order = submitted(make_document, salesperson, name="Returned one")
    salesorder_reject(actor=integration_user, document=order, reason="No stock")
    make_document("salesorder", salesperson, name="Fresh one")
    client.force_login(salesperson)
    html = client.get(reverse("salesorder_list"), {"work": "returned"}).content.decode()
    assert "Returned one" in html and "Fresh one" not in html
    assert "Returned by the back office" in html
    assert 'name="work" value="returned"' in html
    # a queue of another kind, or none at all, is ignored
    html = client.get(reverse("quote_list"), {"work": "returned"}).content.decode()
    assert "Returned by the back office" not in html


def test_manager_sees_the_teams_orders_with_their_owner(
    client, salesperson, manager, customizer, make_document
):
    set_switch(customizer, True)
    submitted(make_document, salesperson, name="Team order")
    client.force_login(manager)
    html = client.get("/").content.decode()
    card = html.split('id="work-waiting"')[1].split("</section>")[0]
    assert "Team order" in card
    assert salesperson.get_full_name() in card


def test_salesperson_does_not_see_others_work(
    client, salesperson, other_salesperson, customizer, make_document
):
    set_switch(customizer, True)
    submitted(make_document, other_salesperson, name="Not mine")
    client.force_login(salesperson)
    assert "Not mine" not in client.get("/").content.decode()


def test_integration_user_sees_its_worklist_of_unacknowledged_orders(
    client, salesperson, integration_user, customizer, make_document
):
    set_switch(customizer, True)
    order = submitted(make_document, salesperson, name="To acknowledge")
    client.force_login(integration_user)
    html = client.get("/").content.decode()
    card = html.split('id="work-unacknowledged"')[1].split("</section>")[0]
    assert "To acknowledge" in card
    assert '<span class="chip chip-info">1</span>' in card
    assert "Active, not yet submitted" not in html

    order.refresh_from_db()
    from django.utils import timezone

    from orders.services.documents import document_update

    document_update(actor=integration_user, document=order, last_back_office_submit=timezone.now())
    html = client.get("/").content.decode()
    assert "To acknowledge" in html.split('id="work-acknowledged"')[1].split("</section>")[0]
    assert "To acknowledge" not in html.split('id="work-unacknowledged"')[1].split("</section>")[0]


def test_delivery_failing_card_lists_orders_whose_webhook_fails(
    client, salesperson, customizer, make_document
):
    set_switch(customizer, True)
    Endpoint.objects.create(url="https://back-office.example/hooks", secret="whsec_x")
    failing = submitted(make_document, salesperson, name="Failing one")
    fine = submitted(make_document, salesperson, name="Fine one")
    Delivery.objects.filter(ordering_key=f"salesorder:{failing.pk}").update(
        status=Delivery.Status.FAILING
    )
    Delivery.objects.filter(ordering_key=f"salesorder:{fine.pk}").update(
        status=Delivery.Status.DELIVERED
    )
    client.force_login(salesperson)
    html = client.get("/").content.decode()
    card = html.split('id="work-failing"')[1].split("</section>")[0]
    assert "Failing one" in card and "Fine one" not in card
    listed = client.get(reverse("salesorder_list"), {"work": "failing"}).content.decode()
    assert "Failing one" in listed and "Fine one" not in listed


def test_home_costs_the_same_queries_with_few_or_many_orders(
    client, salesperson, customizer, make_document
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_switch(customizer, True)
    submitted(make_document, salesperson, name="First")
    client.force_login(salesperson)
    client.get("/")  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(8):
        submitted(make_document, salesperson, name=f"Order {n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few) <= 30


def test_with_the_integration_off_active_orders_are_not_waiting_to_be_submitted(
    client, salesperson, make_document
):
    make_document("salesorder", salesperson, name="Fresh one")
    client.force_login(salesperson)
    html = client.get("/").content.decode()
    card = html.split('id="work-not_submitted"')[1].split("</section>")[0]
    assert ">Active orders</a>" in card and "Fresh one" in card

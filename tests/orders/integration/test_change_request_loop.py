"""The change-request loop end to end, on one machine: a salesperson requests a change on a
submitted order → the signed ``salesorder.change_requested`` webhook → the back-office
simulator answers through the REST API as the integration user: a note that says "return" gets
the order rejected (the salesperson edits and submits again, and the order comes back
invoiced), any other note is declined with a reason."""

import threading
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from orders.integration.delivery import deliver_due
from orders.integration.endpoints import endpoint_create
from orders.integration.simulator import ApiClient, BackOffice, answer_change_request, make_server
from orders.models import ChangeRequest, Delivery, Event, Invoice, SalesOrder
from orders.services import salesorder_request_change, salesorder_submit
from orders.services.documents import line_update
from tests.conftest import set_switch
from tests.orders.factories import (
    AccountFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    document_with_lines,
)

pytestmark = [
    pytest.mark.xdist_group("integration"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def simulator(live_server, integration_user):
    token = Token.objects.create(user=integration_user)
    back_office = BackOffice(api=ApiClient(live_server.url, token.key), secret="")
    server = make_server(back_office)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    back_office.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    yield back_office
    server.shutdown()
    server.server_close()


@pytest.fixture
def order_at_the_back_office(simulator, salesperson, customizer):
    """An order the back office holds (submitted before its endpoint was registered, so the
    simulator has not fulfilled it), and the endpoint registered now."""
    set_switch(customizer, True)
    price_list = PriceListFactory()
    product = ProductFactory()
    PriceListItemFactory(price_list=price_list, product=product, amount=Decimal("50.00"))
    order = document_with_lines(
        "salesorder",
        salesperson,
        price_list=price_list,
        products=[product],
        quantity=Decimal(2),
        account=AccountFactory(),
    )
    order = salesorder_submit(actor=salesperson, document=order)
    _, simulator.secret = endpoint_create(actor=customizer, url=simulator.url)
    return order


def answered(simulator, change_id):
    answer = simulator.answered[change_id]
    assert answer.done.wait(30)
    return answer


def test_a_change_that_asks_for_the_order_back_is_answered_by_a_reject_and_the_loop_closes(
    simulator, order_at_the_back_office, salesperson
):
    order = order_at_the_back_office
    salesorder_request_change(
        actor=salesperson, document=order, note="Please return it: the customer wants 3."
    )
    assert deliver_due() == 1  # the signed change_requested webhook
    change = ChangeRequest.objects.get()
    answer = answered(simulator, change.pk)
    assert (answer.answer, answer.error) == ("rejected", "")

    order = SalesOrder.objects.get(pk=order.pk)
    assert (order.state, order.status_reason) == ("active", "pending")
    assert "the customer wants 3" in order.submit_status_description
    change.refresh_from_db()
    assert change.state == "returned"

    # the salesperson edits and submits again; the back office takes it to the end
    line_update(actor=salesperson, line=order.lines.get(), quantity=Decimal(3))
    salesorder_submit(actor=salesperson, document=SalesOrder.objects.get(pk=order.pk))
    assert deliver_due() == 1
    processed = simulator.processed[order.pk]
    assert processed.done.wait(30)
    assert processed.error == ""
    order = SalesOrder.objects.get(pk=order.pk)
    assert order.state == "invoiced"
    invoice = Invoice.objects.get(sales_order=order)
    assert invoice.state == "paid"
    assert invoice.lines.get().quantity == Decimal(3)
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 2
    # what went to the back office: the request and the resubmission; nothing of its own
    assert list(
        Event.objects.exclude(type="organization.sop_integration_changed").values_list(
            "type", flat=True
        )
    ) == ["salesorder.submitted", "salesorder.change_requested", "salesorder.submitted"]


def test_any_other_change_is_declined_with_a_reason_and_the_order_stays_submitted(
    simulator, order_at_the_back_office, salesperson
):
    order = order_at_the_back_office
    salesorder_request_change(actor=salesperson, document=order, note="Add a power cable.")
    assert deliver_due() == 1
    change = ChangeRequest.objects.get()
    answer = answered(simulator, change.pk)
    assert (answer.answer, answer.error) == ("declined", "")
    change.refresh_from_db()
    assert change.state == "declined" and "cannot change it now" in change.decline_reason
    assert SalesOrder.objects.get(pk=order.pk).state == "submitted"

    # a replay of the same webhook finds nothing to answer and changes nothing
    again = answer_change_request(
        simulator.api,
        {"id": order.pk, "change_request": {"id": change.pk, "note": "Add a power cable."}},
        webhook_id="msg_replay",
    )
    assert again.error == "skipped: no_change_request"
    change.refresh_from_db()
    assert change.state == "declined"


def test_a_request_that_arrives_while_the_order_waits_is_answered_first(
    simulator, salesperson, customizer
):
    """As in the demo (``--think-time``): the order is still waiting for the back office when
    the salesperson asks for it back; the answer comes at once, and the waiting order, no
    longer submitted, is left alone when its turn comes."""
    simulator.think_time = 2
    set_switch(customizer, True)
    _, simulator.secret = endpoint_create(actor=customizer, url=simulator.url)
    price_list, product = PriceListFactory(), ProductFactory()
    PriceListItemFactory(price_list=price_list, product=product, amount=Decimal("10.00"))
    order = document_with_lines(
        "salesorder", salesperson, price_list=price_list, products=[product], quantity=Decimal(1)
    )
    order = salesorder_submit(actor=salesperson, document=order)
    assert deliver_due() == 1
    salesorder_request_change(actor=salesperson, document=order, note="Return it, wrong account")
    assert deliver_due() == 1
    answer = answered(simulator, ChangeRequest.objects.get().pk)
    assert answer.answer == "rejected"
    processed = simulator.processed[order.pk]
    assert not processed.done.is_set()  # answered before the order's turn
    assert processed.done.wait(30)
    assert processed.error == "skipped: the order is active"
    assert SalesOrder.objects.get(pk=order.pk).state == "active"

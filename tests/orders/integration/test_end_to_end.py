"""The whole loop on one machine: submit → signed webhook → the back-office simulator acts
through the REST API as the integration user → the order is fulfilled and invoiced, paid."""

import threading
from decimal import Decimal

import pytest
from django.urls import Resolver404, resolve
from rest_framework.authtoken.models import Token

from orders.integration.delivery import deliver_due
from orders.integration.endpoints import endpoint_create
from orders.integration.simulator import (
    ApiClient,
    BackOffice,
    make_server,
    process_submitted_order,
)
from orders.models import Delivery, Event, Invoice, SalesOrder
from orders.services import salesorder_submit
from tests.conftest import set_switch
from tests.orders.factories import (
    AccountFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    document_with_lines,
)

NEEDED_API_PATHS = [
    "/api/v1/salesorders/1",
    "/api/v1/salesorders/1/lines/1",
    "/api/v1/salesorders/1/fulfill",
    "/api/v1/invoices",
    "/api/v1/invoices/1/lines",
    "/api/v1/invoices/1/mark_paid",
]


def missing_api_paths() -> list[str]:
    missing = []
    for path in NEEDED_API_PATHS:
        try:
            resolve(path)
        except Resolver404:
            missing.append(path)
    return missing


pytestmark = [
    pytest.mark.xdist_group("integration"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def simulator(live_server, integration_user):
    if missing := missing_api_paths():
        pytest.skip(f"the REST API does not serve {', '.join(missing)} yet")
    token = Token.objects.create(user=integration_user)
    back_office = BackOffice(api=ApiClient(live_server.url, token.key), secret="")
    server = make_server(back_office)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    back_office.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    yield back_office
    server.shutdown()
    server.server_close()


def test_submitted_order_comes_back_fulfilled_invoiced_and_paid(simulator, salesperson, customizer):
    set_switch(customizer, True)
    _, simulator.secret = endpoint_create(actor=customizer, url=simulator.url)
    price_list = PriceListFactory()
    products = [ProductFactory(), ProductFactory()]
    PriceListItemFactory(price_list=price_list, product=products[0], amount=Decimal("100.00"))
    PriceListItemFactory(price_list=price_list, product=products[1], amount=Decimal("20.00"))
    order = document_with_lines(
        "salesorder",
        salesperson,
        price_list=price_list,
        products=products,
        quantity=Decimal(2),
        account=AccountFactory(),
    )
    assert order.total_amount == Decimal("240.00")

    salesorder_submit(actor=salesperson, document=order)
    assert deliver_due() == 1  # the signed webhook, answered at once
    [processed] = simulator.processed.values()
    assert processed.done.wait(30)
    assert processed.error == ""

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED
    order = SalesOrder.objects.get(pk=order.pk)
    assert order.state == "invoiced"
    assert order.external_reference == f"BO-{order.number}"
    assert order.submit_status == "received"
    assert order.last_back_office_submit is not None
    first_line = order.lines.order_by("line_number").first()
    assert first_line.price_per_unit == Decimal("95.00")  # the back office's own price, kept
    assert first_line.pricing["decision"] == "skipped"  # provenance: kept as given, and why
    assert first_line.extended_amount == Decimal("190.00")  # the back office's own arithmetic
    assert order.total_amount == Decimal("230.00")  # the order agrees with its invoice

    invoice = Invoice.objects.get(sales_order=order)
    assert invoice.owner == salesperson  # the order's owner sees the back office's invoice
    assert invoice.state == "paid"
    assert invoice.status_reason == "complete"
    assert invoice.total_amount == Decimal("230.00")  # 2 × 95 + 2 × 20, the back office's sum
    assert sorted(invoice.lines.values_list("price_per_unit", flat=True)) == [
        Decimal("20.00"),
        Decimal("95.00"),
    ]
    # A replay of the same event finds the order already handled and leaves it alone.
    again = process_submitted_order(simulator.api, {"id": order.pk}, webhook_id="msg_replay")
    assert again.error == "skipped: the order is invoiced"
    assert Invoice.objects.filter(sales_order=order).count() == 1

    # The integration user's writes raised no events back to the back office.
    assert list(Event.objects.values_list("type", flat=True)) == [
        "organization.sop_integration_changed",
        "salesorder.submitted",
    ]

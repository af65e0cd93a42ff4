"""`manage.py seed_volume`: documents as the services would leave them, in every state."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum

from orders import lifecycle
from orders.integration import payloads
from orders.models import (
    AuditEntry,
    Delivery,
    DeliveryAttempt,
    Endpoint,
    Event,
    NumberSequence,
    SalesOrder,
    SalesOrderLine,
)
from tests.orders.integration.test_payloads import validate


@pytest.mark.django_db
def test_seed_volume_writes_orders_whose_totals_are_their_lines_in_every_state(capsys):
    Endpoint.objects.create(url="https://erp.example/hooks", secret="whsec_" + "QUJD" * 8)
    call_command("seed_volume", orders=300, lines_per_order=3, accounts=7, salespeople=3)
    assert "Added 300 orders" in capsys.readouterr().out

    orders = SalesOrder.objects.annotate(
        lines_n=Count("lines"),
        base=Sum("lines__base_amount"),
        extended=Sum("lines__extended_amount"),
        tax=Sum("lines__tax"),
    )
    assert orders.count() == 300
    for order in orders:
        assert 2 <= order.lines_n <= 4
        assert order.total_line_item_amount == order.extended - order.tax
        assert order.total_line_item_discount_amount == order.base - order.total_line_item_amount
        assert order.total_tax == order.tax
        assert order.total_amount == (
            order.total_amount_less_freight + order.freight_amount + order.total_tax
        )
        assert order.modified_on >= order.created_on
    every = {
        (state, reason)
        for state, (_, reasons) in lifecycle.LIFECYCLE[lifecycle.SALES_ORDER].items()
        for reason in reasons
    }
    assert set(SalesOrder.objects.values_list("state", "status_reason").distinct()) == every
    assert SalesOrder.objects.values("account").distinct().count() == 7
    assert SalesOrder.objects.values("owner").distinct().count() == 3

    # Every order that reached the back office has its event, to each endpoint one delivery.
    reached = SalesOrder.objects.filter(submitted_on__isnull=False)
    assert reached.count() == Event.objects.count() > 0
    assert not SalesOrder.objects.filter(
        Q(state__in=["submitted", "fulfilled", "invoiced"]) & Q(submitted_on__isnull=True)
    ).exists()
    endpoints = Endpoint.objects.count()
    assert Delivery.objects.count() == Event.objects.count() * endpoints
    for event in Event.objects.all()[:20]:
        validate(event.payload, payloads.SALESORDER_SUBMITTED)
        assert event.ordering_key == f"salesorder:{event.payload['id']}"
    assert AuditEntry.objects.filter(action="submit").count() == reached.count()
    assert SalesOrder.history.count() == 300
    assert SalesOrderLine.history.count() == SalesOrderLine.objects.count()
    assert not AuditEntry.objects.filter(actor__isnull=True).exists()
    attempted = Delivery.objects.filter(attempts__gt=0)
    assert DeliveryAttempt.objects.filter(delivery__in=attempted).count() == attempted.count()

    # Numbers come from the sequence: a second run continues after the first.
    last = NumberSequence.objects.get(pk="ORD").next_value
    call_command("seed_volume", orders=5, accounts=7, salespeople=3)
    assert NumberSequence.objects.get(pk="ORD").next_value == last + 5
    assert SalesOrder.objects.values("number").distinct().count() == 305


@pytest.mark.django_db
def test_seed_volume_refuses_nonsense_and_writes_nothing():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_volume", orders=0)
    assert not SalesOrder.objects.exists()

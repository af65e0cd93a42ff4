"""The outbox: events commit with the change they announce, or not at all."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from orders.integration.endpoints import endpoint_create, endpoint_set_enabled
from orders.integration.feed import events_after
from orders.integration.health import (
    delivery_health,
    order_sync_status,
    order_sync_statuses,
    undelivered_count,
)
from orders.integration.outbox import record_event
from orders.models import Delivery, Event, SalesOrder
from orders.services import salesorder_reject, salesorder_submit
from settings_app.models import SwitchDoor
from settings_app.services import organization_set_sop_integration
from tests.conftest import set_switch
from tests.orders.factories import (
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    document_with_lines,
)
from tests.orders.integration.conftest import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_endpoints(customizer):
    first, _ = endpoint_create(actor=customizer, url="http://127.0.0.1:9/a")
    second, _ = endpoint_create(actor=customizer, url="https://erp.example.com/hooks")
    return first, second


@pytest.fixture
def order(salesperson):
    price_list = PriceListFactory()
    product = ProductFactory()
    PriceListItemFactory(price_list=price_list, product=product, amount=Decimal("12.50"))
    return document_with_lines(
        "salesorder", salesperson, price_list=price_list, products=[product], quantity=Decimal(2)
    )


def test_event_and_one_delivery_per_endpoint_are_written(two_endpoints, customizer):
    first, second = two_endpoints
    endpoint_set_enabled(actor=customizer, endpoint=second, enabled=False)

    event = make_event(ordering_key="salesorder:7", n=1)

    assert event.event_id.startswith("msg_")
    assert event.payload == {"ordering_key": "salesorder:7", "n": 1}
    deliveries = Delivery.objects.filter(event=event).order_by("endpoint_id")
    assert [d.endpoint for d in deliveries] == [first, second]  # the paused one waits
    assert {d.status for d in deliveries} == {Delivery.Status.QUEUED}
    assert {d.ordering_key for d in deliveries} == {"salesorder:7"}


def test_rolled_back_transaction_leaves_no_event(two_endpoints):
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic():
        record_event(type="salesorder.submitted", payload={}, ordering_key="salesorder:1")
        raise RuntimeError("boom")

    assert not Event.objects.exists()
    assert not Delivery.objects.exists()


def test_changes_by_integration_users_raise_no_events(two_endpoints, integration_user):
    with transaction.atomic():
        assert record_event(type="salesorder.submitted", payload={}, actor=integration_user) is None
    assert not Event.objects.exists()


def test_payload_decimals_and_datetimes_are_stored_as_strings(two_endpoints):
    from django.utils import timezone

    when = timezone.now()
    event = make_event(amount=Decimal("10.50"), at=when)
    event.refresh_from_db()
    assert event.payload["amount"] == "10.50"
    assert event.payload["at"].startswith(str(when.year))


def test_switch_move_writes_the_organization_event(customizer):
    set_switch(customizer, True)

    [event] = Event.objects.all()
    assert event.type == "organization.sop_integration_changed"
    assert event.actor == customizer
    assert event.payload["enabled"] is True
    assert event.payload["old_value"] is False
    assert event.payload["changed_by"] == "customizer"
    assert event.payload["door"] == SwitchDoor.COMMAND
    assert event.payload["changed_on"]


def test_refused_switch_move_writes_no_event(salesperson):
    from settings_app.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        organization_set_sop_integration(actor=salesperson, enabled=True, door=SwitchDoor.API)
    assert not Event.objects.exists()


def test_submit_writes_the_whole_order_and_sync_status_follows_deliveries(
    order, salesperson, customizer, integration_user, two_endpoints
):
    set_switch(customizer, True)
    assert order_sync_status(order) is None

    salesorder_submit(actor=salesperson, document=order)

    event = Event.objects.get(type="salesorder.submitted")
    assert event.ordering_key == f"salesorder:{order.pk}"
    assert event.payload["id"] == order.pk
    assert event.payload["number"] == order.number
    assert event.payload["state"] == "submitted"
    assert [line["price_per_unit"] for line in event.payload["lines"]] == ["12.50"]
    assert order_sync_status(order) == "queued"

    first, second = two_endpoints
    Delivery.objects.filter(endpoint=first).update(status=Delivery.Status.DELIVERED)
    assert order_sync_status(order) == "queued"  # the worst over the endpoints
    Delivery.objects.filter(endpoint=second).update(status=Delivery.Status.DELIVERED)
    assert order_sync_status(order) == "delivered"

    # A reject by the back office echoes nothing; the resubmit is a new event.
    order = salesorder_reject(actor=integration_user, document=order, reason="No stock")
    assert Event.objects.filter(type="salesorder.submitted").count() == 1
    salesorder_submit(actor=salesperson, document=SalesOrder.objects.get(pk=order.pk))
    assert Event.objects.filter(type="salesorder.submitted").count() == 2
    assert order_sync_status(order) == "queued"
    assert order_sync_statuses([order]) == {order.pk: "queued"}


def test_health_counts_and_undelivered_events(two_endpoints, django_assert_num_queries):
    first, _ = two_endpoints
    delivered = make_event(ordering_key="a")
    make_event(ordering_key="b")
    Delivery.objects.filter(event=delivered).update(
        status=Delivery.Status.DELIVERED, delivered_on="2026-01-02T03:04:05Z"
    )
    Delivery.objects.filter(event=delivered, endpoint=first).update(status=Delivery.Status.DEAD)

    with django_assert_num_queries(1):
        health = delivery_health()
    assert health["queued"] == 2
    assert health["delivered"] == 1
    assert health["dead"] == 1
    assert health["failing"] == 0
    assert health["last_success"].year == 2026
    with django_assert_num_queries(1):
        assert undelivered_count() == 2


def test_events_feed_is_in_commit_order_after_the_cursor():
    events = [make_event(n=n) for n in range(5)]

    assert [e.sequence for e in events_after(None, 3)] == [e.sequence for e in events[:3]]
    assert events_after(events[2].sequence, 10) == events[3:]
    assert events_after(events[-1].sequence, 10) == []
    assert len(events_after(None, 0)) == 1  # the limit is clamped to 1…500


@pytest.mark.django_db
def test_events_recorded_while_an_endpoint_is_paused_wait_for_it(customizer):
    from orders.integration.delivery import claimable

    endpoint, _ = endpoint_create(actor=customizer, url="http://127.0.0.1:9/hooks")
    endpoint_set_enabled(actor=customizer, endpoint=endpoint, enabled=False)
    with transaction.atomic():
        event = record_event(type="salesorder.submitted", payload={}, ordering_key="salesorder:1")
    delivery = Delivery.objects.get(event=event, endpoint=endpoint)
    assert delivery.status == "queued"
    later = timezone.now() + timedelta(seconds=1)
    assert not claimable(later).filter(pk=delivery.pk).exists()  # paused: it waits
    endpoint_set_enabled(actor=customizer, endpoint=endpoint, enabled=True)
    assert claimable(later).filter(pk=delivery.pk).exists()  # enabled: it goes out

"""Delivery to a real HTTP receiver that verifies Standard Webhooks signatures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.integration.delivery import MAX_ATTEMPTS, RETRY_DELAYS, deliver_due
from orders.integration.endpoints import delivery_retry_now
from orders.models import Delivery, DeliveryAttempt
from tests.orders.integration.conftest import body_of, make_event

pytestmark = pytest.mark.django_db


def later(**kwargs):
    return timezone.now() + timedelta(**kwargs)


def test_event_is_delivered_signed_with_the_standard_webhooks_body(receiver, endpoint):
    event = make_event(ordering_key="salesorder:1", number="ORD-01001")

    assert deliver_due() == 1

    [item] = receiver.received
    assert item.verified
    assert item.webhook_id == event.event_id
    body = body_of(item)
    assert body["type"] == "salesorder.submitted"
    assert body["data"] == {"ordering_key": "salesorder:1", "number": "ORD-01001"}
    assert body["timestamp"].endswith("Z")
    assert item.headers["webhook-signature"].startswith("v1,")
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 204
    assert delivery.delivered_on is not None
    assert delivery.locked_until is None
    assert DeliveryAttempt.objects.get(delivery=delivery).status_code == 204
    assert deliver_due() == 0  # nothing left


def test_receiver_down_then_up_gets_the_event_on_the_retry(receiver, endpoint, fast_timeout):
    event = make_event(ordering_key="salesorder:1")
    port = receiver.port
    receiver.stop()

    assert deliver_due() == 1
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.FAILING
    assert delivery.last_status_code is None
    assert delivery.last_error == "connection refused"
    # Not due again before its backoff has passed.
    assert deliver_due() == 0
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=RETRY_DELAYS[0] * 0.7)

    receiver.start(port)
    assert deliver_due(now=later(seconds=10)) == 1

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 2
    assert receiver.ids() == [event.event_id]


def test_server_errors_are_retried_with_the_same_webhook_id(receiver, endpoint):
    event = make_event(ordering_key="salesorder:1")
    receiver.responses = [500, 503]

    deliver_due()
    deliver_due(now=later(minutes=1))
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.FAILING
    assert delivery.last_status_code == 503
    assert delivery.last_error == "HTTP 503 Service Unavailable"

    deliver_due(now=later(minutes=5))

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert receiver.ids() == [event.event_id] * 3
    assert all(item.verified for item in receiver.received)
    assert [a.status_code for a in DeliveryAttempt.objects.filter(delivery=delivery)] == [
        204,
        503,
        500,
    ]


def test_backoff_grows_and_has_jitter(receiver, endpoint):
    events = [make_event(ordering_key=f"salesorder:{n}") for n in range(8)]
    receiver.default_status = 500

    deliver_due()

    waits = [
        (d.next_attempt_at - timezone.now()).total_seconds()
        for d in Delivery.objects.filter(event__in=events)
    ]
    assert all(0 < wait <= RETRY_DELAYS[0] * 1.2 + 1 for wait in waits)
    assert len({round(wait, 3) for wait in waits}) > 1  # jitter spreads them


def test_no_answer_within_the_timeout_is_a_failure(receiver, endpoint, fast_timeout):
    event = make_event(ordering_key="salesorder:1")
    receiver.delay = 2.5

    deliver_due()

    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.FAILING
    assert delivery.last_error == "timed out after 1 s"
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert 900 <= attempt.duration_ms < 2400

    receiver.delay = 0
    deliver_due(now=later(minutes=1))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert receiver.ids() == [event.event_id, event.event_id]


def test_dead_lettered_after_a_day_of_failures_then_retry_now(receiver, endpoint, customizer):
    event = make_event(ordering_key="salesorder:1")
    receiver.default_status = 500
    clock = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        assert deliver_due(now=clock) == 1
        delivery = Delivery.objects.get(event=event)
        clock = delivery.next_attempt_at
    total = clock - delivery.created_on

    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.DEAD
    assert delivery.attempts == MAX_ATTEMPTS
    assert timedelta(hours=18) < total < timedelta(hours=30)  # "about a day"
    assert deliver_due(now=later(days=30)) == 0  # dead letters are not retried by themselves

    receiver.default_status = 200
    assert delivery_retry_now(actor=customizer, delivery=delivery) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILING
    assert delivery.attempts == 0

    assert deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert len(receiver.ids()) == MAX_ATTEMPTS + 1


def test_retry_now_for_all_makes_every_failing_delivery_due(receiver, endpoint, customizer):
    receiver.default_status = 500
    make_event(ordering_key="salesorder:1")
    make_event(ordering_key="salesorder:2")
    deliver_due()
    assert deliver_due() == 0

    assert delivery_retry_now(actor=customizer) == 2
    receiver.default_status = 200
    assert deliver_due() == 2
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 2


def test_a_later_event_of_the_same_order_waits_for_the_earlier_one(receiver, endpoint):
    first = make_event(ordering_key="salesorder:1", n=1)
    second = make_event(ordering_key="salesorder:1", n=2)
    other = make_event(ordering_key="salesorder:2", n=3)
    receiver.responses = [500]

    assert deliver_due() == 2  # the first of each order; the second waits

    assert receiver.ids() == [first.event_id, other.event_id]
    assert Delivery.objects.get(event=second).attempts == 0

    assert deliver_due(now=later(minutes=1)) == 1  # the retry of the first
    assert deliver_due(now=later(minutes=1)) == 1  # now the second
    assert receiver.ids()[-2:] == [first.event_id, second.event_id]


def test_a_dead_lettered_event_holds_back_later_events_of_its_order(receiver, endpoint, customizer):
    first = make_event(ordering_key="salesorder:1")
    second = make_event(ordering_key="salesorder:1")
    Delivery.objects.filter(event=first).update(status=Delivery.Status.DEAD, attempts=MAX_ATTEMPTS)

    assert deliver_due(now=later(days=2)) == 0
    assert Delivery.objects.get(event=second).status == Delivery.Status.QUEUED

    delivery_retry_now(actor=customizer)
    assert deliver_due() == 1
    assert deliver_due() == 1
    assert receiver.ids() == [first.event_id, second.event_id]


def test_a_paused_endpoint_gets_nothing_until_enabled_then_everything_in_order(
    receiver, endpoint, customizer
):
    from orders.integration.endpoints import endpoint_set_enabled

    before = make_event(ordering_key="salesorder:1")
    endpoint_set_enabled(actor=customizer, endpoint=endpoint, enabled=False)
    during = make_event(ordering_key="salesorder:1")

    assert deliver_due() == 0
    assert Delivery.objects.get(event=during).status == Delivery.Status.QUEUED

    endpoint_set_enabled(actor=customizer, endpoint=endpoint, enabled=True)
    assert deliver_due() == 1  # the later event waits behind the earlier one of its order
    assert deliver_due() == 1
    assert receiver.ids() == [before.event_id, during.event_id]


def test_a_wrong_secret_is_refused_by_the_receiver(receiver, endpoint):
    receiver.secret = "whsec_" + "QUJD" * 8  # not the endpoint's secret
    event = make_event()

    deliver_due()

    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.FAILING
    assert delivery.last_status_code == 400
    assert receiver.received[0].verified is False


def test_an_unusable_secret_is_a_visible_failure_not_a_crash(receiver, endpoint):
    from orders.models import Endpoint

    Endpoint.objects.filter(pk=endpoint.pk).update(secret="whsec_not*base64")
    event = make_event()

    assert deliver_due() == 1

    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.FAILING
    assert delivery.last_error.startswith("Cannot sign with the endpoint's secret")
    assert receiver.received == []


def test_a_lease_taken_over_by_another_worker_is_not_sent_twice(receiver, endpoint):
    from orders.integration.delivery import claim_due, renew_lease

    event = make_event()
    [mine] = claim_due()
    # Our lease ran out while earlier deliveries of our batch were sent; another worker took it.
    [theirs] = claim_due(now=mine.lease_until + timedelta(seconds=1))

    assert renew_lease(mine) is None  # so we skip it
    assert renew_lease(theirs, now=mine.lease_until + timedelta(seconds=1)) is not None
    assert receiver.received == []
    assert Delivery.objects.get(event=event).status == Delivery.Status.QUEUED


def test_a_stop_midway_hands_back_the_claims_not_yet_sent(receiver, endpoint):
    from orders.integration.delivery import StopFlag

    first, *rest = [make_event(ordering_key=f"salesorder:{n}") for n in range(3)]
    stop = StopFlag()
    receiver.on_request = lambda _: stop.set()  # asked to stop while sending the first

    assert deliver_due(stop=stop) == 3

    assert receiver.ids() == [first.event_id]
    assert Delivery.objects.get(event=first).status == Delivery.Status.DELIVERED
    for event in rest:
        delivery = Delivery.objects.get(event=event)
        assert (delivery.status, delivery.attempts, delivery.locked_until) == ("queued", 0, None)
    assert deliver_due() == 2  # another worker takes them at once, no lease to wait out

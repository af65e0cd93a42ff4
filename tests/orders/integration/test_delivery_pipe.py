"""The delivery pipe at scale: kept connections, one claim per batch, few queries per delivery."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from orders.integration import transport
from orders.integration.delivery import (
    _claim_sql,
    claim_due,
    claim_parameters,
    deliver_due,
    lease_duration,
)
from orders.integration.endpoints import endpoint_create
from orders.models import Delivery, DeliveryAttempt, Endpoint
from tests.orders.integration.conftest import make_event

pytestmark = pytest.mark.django_db


def statements(queries) -> list[str]:
    """The statements run, without the savepoints of the test's own transaction (outside a
    test, ``atomic()`` is a BEGIN/COMMIT of the connection, not a statement)."""
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return [q["sql"] for q in queries if not q["sql"].startswith(control)]


class KeepAliveReceiver:
    """An HTTP/1.1 receiver that keeps connections open, verifies signatures and counts the
    connections it accepted; ``close_after`` closes each connection after that many answers."""

    def __init__(self, *, close_after: int = 0):
        self.secret = ""
        self.connections = 0
        self.verified: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                self.answered = 0
                with receiver.lock:
                    receiver.connections += 1

            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                Webhook(receiver.secret).verify(body, headers)
                with receiver.lock:
                    receiver.verified.append(headers["webhook-id"])
                self.answered += 1
                self.send_response(204)
                if close_after and self.answered >= close_after:
                    self.send_header("connection", "close")
                    self.close_connection = True
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def keep_alive(customizer):
    made = []

    def make(**kwargs):
        receiver = KeepAliveReceiver(**kwargs)
        _, receiver.secret = endpoint_create(actor=customizer, url=receiver.url)
        made.append(receiver)
        return receiver

    yield make
    transport.close_connections()
    for receiver in made:
        receiver.stop()


def test_one_connection_carries_every_delivery_of_a_thread(keep_alive):
    receiver = keep_alive()
    events = [make_event(ordering_key=f"salesorder:{n}", n=n) for n in range(12)]

    while deliver_due(limit=5):
        pass

    assert sorted(receiver.verified) == sorted(event.event_id for event in events)
    assert receiver.connections == 1
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 12


def test_a_connection_the_receiver_closes_is_replaced_and_nothing_is_lost(keep_alive):
    receiver = keep_alive(close_after=2)  # says "Connection: close" on every second answer
    events = [make_event(ordering_key=f"salesorder:{n}", n=n) for n in range(6)]

    while deliver_due(limit=10):
        pass

    assert sorted(receiver.verified) == sorted(event.event_id for event in events)
    assert receiver.connections == 3
    assert not Delivery.objects.exclude(status=Delivery.Status.DELIVERED).exists()


def test_a_kept_connection_closed_while_idle_is_noticed_and_the_send_goes_again(keep_alive):
    receiver = keep_alive()
    first = make_event(ordering_key="salesorder:1")
    assert deliver_due() == 1
    # The receiver restarts: the kept connection is dead, which the sender learns only on use.
    receiver.server.shutdown()
    receiver.stop()
    again = KeepAliveReceiver()
    again.secret = receiver.secret
    Endpoint.objects.update(url=again.url)
    second = make_event(ordering_key="salesorder:2")
    try:
        assert deliver_due() == 1
        assert again.verified == [second.event_id]
    finally:
        transport.close_connections()
        again.stop()
    assert receiver.verified == [first.event_id]
    attempts = DeliveryAttempt.objects.order_by("id")
    assert [attempt.status_code for attempt in attempts] == [204, 204]


def test_at_most_two_queries_per_delivery_whatever_the_batch(keep_alive):
    keep_alive()
    count = 10
    for n in range(count):
        make_event(ordering_key=f"salesorder:{n}", n=n)

    with CaptureQueriesContext(connection) as queries:
        assert deliver_due(limit=count) == count

    # One statement claims the batch, one writes its outcomes and attempts (two on SQLite,
    # which has no data-modifying WITH): per delivery, far below two.
    run = statements(queries)
    assert len(run) == (2 if connection.vendor == "postgresql" else 3), [s[:80] for s in run]
    assert len(run) <= 2 * count
    if connection.vendor == "postgresql":
        assert "SKIP LOCKED" in run[0] and "RETURNING" in run[0]
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == count
    assert DeliveryAttempt.objects.filter(status_code=204).count() == count


def test_the_claim_is_one_statement_and_skips_what_another_worker_holds(keep_alive):
    keep_alive()
    for n in range(4):
        make_event(ordering_key=f"salesorder:{n}", n=n)

    with CaptureQueriesContext(connection) as queries:
        mine = claim_due(limit=3)
    assert len(statements(queries)) == 1
    assert [claim.job.event_pk for claim in mine] == sorted(claim.job.event_pk for claim in mine)
    theirs = claim_due(limit=3)
    assert len(theirs) == 1
    assert not {claim.delivery_id for claim in mine} & {claim.delivery_id for claim in theirs}


def named_receiver(keep_alive, dns, host: str, events: int):
    """A keep-alive receiver the endpoint reaches by ``host`` (the fake DNS answers it with
    127.0.0.1), and ``events`` events of as many orders waiting for it."""
    receiver = keep_alive()
    port = receiver.server.server_address[1]
    dns.answers[host] = ["127.0.0.1"]
    Endpoint.objects.update(url=f"http://{host}:{port}/hooks")
    for n in range(events):
        make_event(ordering_key=f"salesorder:{n}", n=n)
    return receiver


def test_a_kept_connection_needs_no_name_lookup_but_its_address_is_still_checked(
    keep_alive, dns, customizer, settings
):
    receiver = named_receiver(keep_alive, dns, "erp.kept.test", events=5)

    while deliver_due(limit=2):
        pass

    assert len(receiver.verified) == 5
    assert receiver.connections == 1
    assert dns.lookups["erp.kept.test"] == 1  # looked up for the new connection only

    # The address rule holds at every send, kept connection or not.
    settings.SOP_WEBHOOK_ALLOW_PRIVATE = False
    refused = make_event(ordering_key="salesorder:refused")
    assert deliver_due() == 1
    assert receiver.verified[-1] != refused.event_id
    assert "a loopback address" in Delivery.objects.get(event=refused).last_error


def test_a_kept_connection_past_its_age_is_replaced_after_a_fresh_lookup(
    keep_alive, dns, monkeypatch
):
    receiver = named_receiver(keep_alive, dns, "erp.aged.test", events=3)
    monkeypatch.setattr(transport, "MAX_AGE_SECONDS", 0.0)

    while deliver_due(limit=1):
        pass

    assert len(receiver.verified) == 3
    assert receiver.connections == 3
    assert dns.lookups["erp.aged.test"] == 3


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_claim_reads_no_more_with_a_long_queue_than_a_short_one(keep_alive):
    """Statistics taken while the queue was empty (as after a quiet night) must not lead the
    claim into reading the whole queue once per candidate when a burst arrives."""
    keep_alive()

    def claim_buffers() -> int:
        sql, template = _claim_sql(10)
        now = timezone.now()
        params = claim_parameters(template, now=now, lease_until=now + lease_duration())
        with connection.cursor() as cursor:
            cursor.execute("SAVEPOINT claim")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            cursor.execute("ROLLBACK TO SAVEPOINT claim")
        plan = json.loads(plan) if isinstance(plan, str) else plan
        top = plan[0]["Plan"]
        return top["Shared Hit Blocks"] + top["Shared Read Blocks"]

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_delivery")  # the queue is empty now
    for n in range(40):
        make_event(ordering_key=f"salesorder:{n}", n=n)
    short = claim_buffers()
    for n in range(40, 1000):
        make_event(ordering_key=f"salesorder:{n}", n=n)
    long = claim_buffers()

    assert long < 2 * short, (short, long)

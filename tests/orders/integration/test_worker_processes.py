"""The delivery worker as real processes: killed with SIGKILL mid-delivery, and two at once."""

import itertools
import threading
import time

import pytest
from django.db import connection

from orders.integration.endpoints import generate_secret
from orders.models import Delivery, Endpoint
from tests.orders.integration.conftest import make_event
from tests.orders.integration.processes import Worker, database_url, in_process

pytestmark = [
    pytest.mark.xdist_group("integration"),
    pytest.mark.django_db(transaction=True),
]


def wait_until_all_delivered(workers, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while Delivery.objects.exclude(status=Delivery.Status.DELIVERED).exists():
        for worker in workers:
            assert worker.process.poll() is None, worker.output()
        if time.monotonic() > deadline:
            pending = list(Delivery.objects.exclude(status=Delivery.Status.DELIVERED).values())
            raise AssertionError(f"not delivered in time: {pending}")
        time.sleep(0.1)


def assert_in_order_per_key(received_ids: list[str], events) -> None:
    """Within each ordering key, an event first arrives after the last copy of the one before."""
    by_key: dict[str, list] = {}
    for event in sorted(events, key=lambda e: e["sequence"]):
        by_key.setdefault(event["ordering_key"], []).append(event["event_id"])
    for ids in by_key.values():
        for earlier, later in itertools.pairwise(ids):
            last_earlier = len(received_ids) - 1 - received_ids[::-1].index(earlier)
            assert received_ids.index(later) > last_earlier


def test_worker_killed_mid_delivery_loses_nothing_and_keeps_order(receiver, worker_database):
    receiver.secret = generate_secret()
    events = in_process(
        worker_database,
        f"""
        import json
        from django.db import transaction
        from orders.integration.outbox import record_event
        from orders.models import Endpoint

        Endpoint.objects.create(url={receiver.url!r}, secret={receiver.secret!r})
        events = []
        keys = ["salesorder:1", "salesorder:1", "salesorder:2", "salesorder:1"]
        for n, key in enumerate(keys):
            with transaction.atomic():
                e = record_event(type="salesorder.submitted", payload={{"n": n}}, ordering_key=key)
            events.append({{"sequence": e.sequence, "event_id": e.event_id, "ordering_key": key}})
        print(json.dumps(events))
        """,
    )
    first = events[0]
    receiver.gate = threading.Event()  # the receiver takes the first webhook and stalls

    doomed = Worker(worker_database, "--threads", "1", "--timeout", "10", "--lease", "2")
    try:
        try:
            receiver.wait_for(1, timeout=60)
        except AssertionError as exc:
            raise AssertionError(doomed.output()) from exc
        doomed.kill()
    finally:
        doomed.stop()
    stuck = in_process(
        worker_database,
        f"""
        import json
        from orders.models import Delivery, Endpoint
        d = Delivery.objects.get(event_id={first["sequence"]})
        print(json.dumps([d.status, d.locked_until is not None]))
        """,
    )
    assert stuck == ["queued", True]  # the dead worker's lease, left to expire
    gate, receiver.gate = receiver.gate, None
    gate.set()

    survivor = Worker(worker_database, "--threads", "2", "--timeout", "5")
    try:
        receiver.wait_for_ids({event["event_id"] for event in events}, timeout=90)
    finally:
        survivor.stop()
    statuses = in_process(
        worker_database,
        """
        import json
        from orders.models import Delivery, Endpoint
        print(json.dumps(sorted(set(Delivery.objects.values_list("status", flat=True)))))
        """,
    )
    assert statuses == ["delivered"], survivor.output()

    ids = receiver.ids()
    assert set(ids) == {event["event_id"] for event in events}
    assert ids.count(first["event_id"]) == 2  # the duplicate carries the same webhook-id
    assert all(ids.count(event["event_id"]) == 1 for event in events[1:])
    assert all(item.verified for item in receiver.received)
    assert_in_order_per_key(ids, events)


def test_a_worker_with_several_threads_sends_each_event_once(receiver, worker_database):
    receiver.secret = generate_secret()
    events = in_process(
        worker_database,
        f"""
        import json
        from django.db import transaction
        from orders.integration.outbox import record_event
        from orders.models import Endpoint

        Endpoint.objects.create(url={receiver.url!r}, secret={receiver.secret!r})
        events = []
        for n in range(24):
            key = f"salesorder:{{n % 4}}"
            with transaction.atomic():
                e = record_event(type="salesorder.submitted", payload={{"n": n}}, ordering_key=key)
            events.append({{"sequence": e.sequence, "event_id": e.event_id, "ordering_key": key}})
        print(json.dumps(events))
        """,
    )

    worker = Worker(worker_database, "--threads", "4", "--batch", "2")
    try:
        receiver.wait_for_ids({event["event_id"] for event in events}, timeout=90)
        time.sleep(0.3)  # a late duplicate would arrive now
    finally:
        worker.stop()

    ids = receiver.ids()
    assert sorted(ids) == sorted(event["event_id"] for event in events), worker.output()
    assert_in_order_per_key(ids, events)


@pytest.mark.postgres
def test_two_workers_on_postgresql_deliver_each_event_once_in_order(receiver):
    if connection.vendor != "postgresql":
        pytest.skip("SELECT … FOR UPDATE SKIP LOCKED needs PostgreSQL")
    receiver.secret = generate_secret()
    Endpoint.objects.create(url=receiver.url, secret=receiver.secret)
    events = [
        {"sequence": e.sequence, "event_id": e.event_id, "ordering_key": e.ordering_key}
        for e in (make_event(ordering_key=f"salesorder:{n % 6}", n=n) for n in range(36))
    ]
    receiver.delay = 0.01
    url = database_url()

    workers = [Worker(url, "--threads", "2", "--batch", "3") for _ in range(2)]
    try:
        wait_until_all_delivered(workers)
    finally:
        for worker in workers:
            worker.stop()

    ids = receiver.ids()
    assert sorted(ids) == sorted(event["event_id"] for event in events)  # each exactly once
    assert_in_order_per_key(ids, events)

"""Event-writing transactions commit in sequence order, so the feed's cursor never skips one."""

import threading

import pytest
from django.db import connection, transaction

from orders.integration.feed import events_after
from orders.integration.outbox import record_event

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.xdist_group("integration"),
    pytest.mark.django_db(transaction=True),
]


def test_a_second_event_writer_waits_for_the_first_to_commit():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite has one writer at a time anyway")
    first_written, release_first, second_done = (
        threading.Event(),
        threading.Event(),
        threading.Event(),
    )
    errors = []

    def writer(name, before=None, hold=None, done=None):
        try:
            if before:
                before.wait(10)
            with transaction.atomic():
                record_event(type="test.event", payload={"writer": name})
                if name == "first":
                    first_written.set()
                if hold:
                    hold.wait(10)
            if done:
                done.set()
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=writer, args=("first",), kwargs={"hold": release_first}),
        threading.Thread(
            target=writer, args=("second",), kwargs={"before": first_written, "done": second_done}
        ),
    ]
    for thread in threads:
        thread.start()
    try:
        assert first_written.wait(10)
        # While the first is uncommitted, the second cannot commit an event with a later
        # sequence (a feed reader would otherwise see it first and skip the earlier one).
        assert not second_done.wait(0.5)
        assert events_after(None, 10) == []
    finally:
        release_first.set()
        for thread in threads:
            thread.join(10)
    assert not errors
    assert second_done.is_set()
    assert [e.payload["writer"] for e in events_after(None, 10)] == ["first", "second"]

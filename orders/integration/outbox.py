"""The outbox: events written in the same transaction as the change they announce.

A service calls ``record_event`` inside its ``transaction.atomic()``, with a payload built by
``orders.integration.payloads``; the event and one queued delivery per endpoint commit together
with the change, or not at all. The delivery worker (``orders.integration.delivery``) and the
events feed (``orders.integration.feed``) read these rows after commit, so nothing is lost if
the web process dies right after committing.

This is the low floor of the integration: the services below the delivery machinery call it,
and it imports nothing of orders but the models.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from orders.models import ChartStamp, Delivery, Endpoint, Event, charts_changed
from settings_app.acting import current_actor

# Any constant shared by every event-writing transaction; the value only has to be unique among
# the advisory locks this database uses ("sop" + "outbox" in ASCII, truncated to a bigint).
OUTBOX_ADVISORY_LOCK = 0x736F706F7574


def salesorder_ordering_key(order) -> str:
    """The events of one order are delivered in order; this groups them."""
    return f"salesorder:{order.pk}"


def record_event(*, type: str, payload: dict, ordering_key: str = "", actor=None) -> Event | None:
    """Write one outbox event and queue its delivery to every endpoint (paused ones wait).

    Must run inside the caller's ``transaction.atomic()`` so the event commits with the change.
    Changes made by integration users raise no outbound events (no echo back to the back office
    that made them): then nothing is written and None is returned.

    On PostgreSQL the transaction first takes a transaction-scoped advisory lock. Sequence
    values are handed out at INSERT time but become visible at COMMIT time; without the lock, a
    transaction holding sequence 41 could commit after another holding 42, and a feed reader
    that already moved its cursor past 42 would never see 41. With the lock, event-writing
    transactions hold it from their insert until their commit, so they commit in sequence order.
    (SQLite allows one writer at a time, which gives the same guarantee.) Call this as late as
    possible in the transaction: the lock is held until commit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "record_event() must be called inside the transaction.atomic() of the change it "
            "announces, so the event commits (or rolls back) with it."
        )
    if actor is None:
        actor = current_actor()
    if actor is not None and getattr(actor, "is_integration_user", False):
        return None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [OUTBOX_ADVISORY_LOCK])
    event = Event.objects.create(
        type=type,
        # Decimals and datetimes become the strings the API uses, once, at write time.
        payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
        ordering_key=ordering_key,
        actor=actor if actor is not None and actor.pk else None,
    )
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            event=event, endpoint_id=endpoint_id, ordering_key=ordering_key, next_attempt_at=now
        )
        # Paused endpoints too: their deliveries wait (the worker claims only enabled ones) and go
        # out when the endpoint is enabled again — nothing is lost while it is paused.
        for endpoint_id in Endpoint.objects.values_list("pk", flat=True)
    )
    charts_changed(ChartStamp.DELIVERIES)  # bulk_create sends no signals: the charts' cache
    return event

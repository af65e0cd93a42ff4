"""The events feed: the outbox in commit order, for back offices that poll
(docs/integration.md#4-pulling-instead-the-events-feed)."""

from orders.models import Event

MAX_LIMIT = 500


def events_after(cursor: int | None, limit: int) -> list[Event]:
    """Events with a sequence above ``cursor`` (all of them when None), oldest first.

    The sequence is the cursor: ``record_event`` makes event-writing transactions commit in
    sequence order, so a reader that resumes after the last sequence it saw misses nothing.
    ``limit`` is clamped to 1…500.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    events = Event.objects.order_by("sequence")
    if cursor is not None:
        events = events.filter(sequence__gt=int(cursor))
    return list(events[:limit])

"""Read-only views of delivery health for App Settings, the order page and the switch-off check.

Each function runs a constant number of queries, whatever the number of events.
"""

from datetime import UTC

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from orders.integration.outbox import salesorder_ordering_key
from orders.integration.payloads import SALESORDER_SUBMITTED
from orders.models import Delivery, Event

Status = Delivery.Status
UNDELIVERED = [Status.QUEUED, Status.FAILING, Status.DEAD]


# Past this many delivered rows, App Settings says "10,000+" rather than count them all.
DELIVERED_COUNT_CAP = 10_000


def delivery_health() -> dict:
    """Counts of deliveries by status and the time of the last success (one query).

    The undelivered rows are counted through their partial index; the delivered ones — most of
    the table, and ever more — only up to ``DELIVERED_COUNT_CAP`` (``delivered_capped``), and
    the last success is read from the end of the ``delivered_on`` index.
    """
    table = connection.ops.quote_name(Delivery._meta.db_table)
    undelivered = f"FROM {table} WHERE NOT (status = %s)"  # nosec B608
    sql = (
        f"SELECT (SELECT COUNT(*) {undelivered} AND status = %s), "  # noqa: S608  # nosec B608
        f"(SELECT COUNT(*) {undelivered} AND status = %s), "
        f"(SELECT COUNT(*) {undelivered} AND status = %s), "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE status = %s LIMIT %s) AS capped), "
        f"(SELECT MAX(delivered_on) FROM {table})"
    )
    delivered = Status.DELIVERED
    params = [
        *(delivered, Status.QUEUED),
        *(delivered, Status.FAILING),
        *(delivered, Status.DEAD),
        *(delivered, DELIVERED_COUNT_CAP + 1),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        queued, failing, dead, delivered_count, last_success = cursor.fetchone()
    if isinstance(last_success, str) or (last_success and timezone.is_naive(last_success)):
        last_success = Delivery._meta.get_field("delivered_on").to_python(last_success)
        if timezone.is_naive(last_success):
            last_success = timezone.make_aware(last_success, UTC)
    capped = delivered_count > DELIVERED_COUNT_CAP
    return {
        "queued": queued,
        "delivered": min(delivered_count, DELIVERED_COUNT_CAP),
        "delivered_capped": capped,
        "delivered_label": f"{DELIVERED_COUNT_CAP:,}+" if capped else f"{delivered_count:,}",
        "failing": failing,
        "dead": dead,
        "last_success": last_success,
    }


def undelivered_count() -> int:
    """How many events still wait for at least one endpoint (queued, failing or dead): the
    distinct event ids of the undelivered rows, read from their partial index."""
    return (
        Delivery.objects.exclude(status=Status.DELIVERED)
        .order_by()
        .values("event_id")
        .distinct()
        .count()
    )


def oldest_undelivered_age() -> float | None:
    """Seconds since the oldest delivery still waiting (queued, failing or dead) was queued;
    None when every event has reached every endpoint (one query)."""
    oldest = Delivery.objects.filter(status__in=UNDELIVERED).aggregate(oldest=Min("created_on"))
    if oldest["oldest"] is None:
        return None
    return round((timezone.now() - oldest["oldest"]).total_seconds(), 3)


def combined_status(statuses) -> str:
    """One status for an event sent to several endpoints: the worst of them."""
    statuses = set(statuses)
    for status in (Status.DEAD, Status.FAILING, Status.QUEUED):
        if status in statuses:
            return str(status)
    return str(Status.DELIVERED) if statuses else str(Status.QUEUED)


def order_sync_status(order) -> str | None:
    """queued / delivered / failing / dead for the order's latest ``salesorder.submitted``
    event (the worst over the endpoints), None if the order was never submitted.

    An event with no endpoint to send it to counts as queued: it waits in the events feed.
    """
    latest = (
        Event.objects.filter(ordering_key=salesorder_ordering_key(order), type=SALESORDER_SUBMITTED)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    if latest is None:
        return None
    return combined_status(
        Delivery.objects.filter(event_id=latest).values_list("status", flat=True)
    )


def order_sync_statuses(orders) -> dict[int, str]:
    """``order_sync_status`` for many orders in two queries (for lists); only submitted ones."""
    keys = {salesorder_ordering_key(order): order.pk for order in orders}
    latest = dict(
        Event.objects.filter(ordering_key__in=keys, type=SALESORDER_SUBMITTED)
        .values("ordering_key")
        .annotate(latest=Max("sequence"))
        .values_list("ordering_key", "latest")
    )
    statuses: dict[int, list[str]] = {sequence: [] for sequence in latest.values()}
    for event_id, status in Delivery.objects.filter(event_id__in=statuses).values_list(
        "event_id", "status"
    ):
        statuses[event_id].append(status)
    return {keys[key]: combined_status(statuses[sequence]) for key, sequence in latest.items()}


def order_back_office_chips(orders) -> dict[int, str]:
    """Where each *submitted* order is with the back office, in two queries, as the order's chip
    says it: ``acknowledged`` (the back office wrote back), ``delivered`` (sent, not yet
    acknowledged), ``queued`` (on its way), ``paused`` (waiting for a paused endpoint),
    ``failing`` / ``dead`` (delivery retrying / given up), ``feed`` (no endpoint: the back
    office collects it from the events feed). Orders in any other state get no chip."""
    chips: dict[int, str] = {}
    pending = {}
    for order in orders:
        if order.state != "submitted":
            continue
        if order.last_back_office_submit:
            chips[order.pk] = "acknowledged"
        else:
            pending[salesorder_ordering_key(order)] = order.pk
    if not pending:
        return chips
    latest = dict(
        Event.objects.filter(ordering_key__in=pending, type=SALESORDER_SUBMITTED)
        .values("ordering_key")
        .annotate(latest=Max("sequence"))
        .values_list("ordering_key", "latest")
    )
    deliveries: dict[int, list[tuple[str, bool]]] = {sequence: [] for sequence in latest.values()}
    for event_id, status, enabled in Delivery.objects.filter(event_id__in=deliveries).values_list(
        "event_id", "status", "endpoint__is_enabled"
    ):
        deliveries[event_id].append((status, enabled))
    for key, pk in pending.items():
        found = deliveries.get(latest.get(key), [])
        if not found:
            chips[pk] = "feed"
            continue
        status = combined_status(status for status, _ in found)
        waiting = [enabled for status, enabled in found if status == Status.QUEUED]
        if status == Status.QUEUED and not any(waiting):
            status = "paused"
        chips[pk] = str(status)
    return chips

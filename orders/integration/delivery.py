"""Webhook delivery per Standard Webhooks: claim due deliveries, POST them signed, reschedule.

The ``Delivery`` table is the queue. A worker (``manage.py deliver_webhooks``) repeatedly
claims a few due rows and sends them:

* **Claiming** is one statement per batch: ``UPDATE … SET locked_until = <lease> WHERE id IN
  (SELECT … the due rows … LIMIT n FOR UPDATE SKIP LOCKED) RETURNING`` the rows with their
  event and endpoint (no row locks on SQLite, where the single statement is atomic anyway). So
  several workers never send the same row at once, and a worker killed mid-delivery (SIGKILL,
  power loss) leaves a lease that simply expires; the row is then sent again with the same
  ``webhook-id``. Before each send the lease is renewed if what is left of it would not cover
  the attempt, so a slow batch never outlives it. A partial index on the undelivered rows
  keeps the claim from reading the delivered ones, however many there are.
* **Recording** an outcome is one statement on PostgreSQL (the delivery's UPDATE and the
  attempt's INSERT together) and two on SQLite: with the claim, at most two queries per
  delivery on PostgreSQL.
* **Per-order ordering**: a delivery is not claimable while an earlier event (lower sequence)
  with the same ordering key, to the same endpoint, is not delivered — dead-lettered ones
  included, until someone retries them (ordering is the promise; a dead letter is shown on App
  Settings with a "Retry now" button).
* **Outcome**: any 2xx is success; anything else, a refused connection, an address webhooks
  may not go to (``destinations``) or no answer within the timeout — one deadline for the whole
  attempt (``transport``) — is a failure, retried with exponential backoff and jitter for about
  a day (``RETRY_DELAYS``), then the delivery is dead-lettered. Only the status code and a
  short reason of ours are recorded, never what the receiver answered in its body.

Functions take ``now`` so tests drive the clock instead of sleeping.
"""

import json
import logging
import random
import time
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from standardwebhooks.webhooks import Webhook

from orders.integration.transport import Outcome, post
from orders.models import ChartStamp, Delivery, DeliveryAttempt, Endpoint, Event, charts_changed

logger = logging.getLogger("sopsite.integration")

DEFAULT_TIMEOUT_SECONDS = 15.0

# Seconds to wait after the 1st, 2nd, … failed attempt; about 23.7 hours in all. After the last
# one fails, the delivery is dead-lettered (11 attempts in total).
RETRY_DELAYS = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Deliveries claimed (and their outcomes written) together: one claim and one write per batch.
DEFAULT_BATCH = 50
LEASE_MARGIN = timedelta(seconds=10)  # what an attempt's bookkeeping may take past its timeout
JITTER = 0.2  # each delay is stretched or shrunk by up to 20 %, so retries do not stampede


def timeout_seconds() -> float:
    """How long a receiver has to answer (``settings.SOP_WEBHOOK_TIMEOUT``, 15 s by default)."""
    return float(getattr(settings, "SOP_WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))


def lease_duration() -> timedelta:
    """How long a claimed delivery stays reserved for the worker that claimed it.

    Longer than an attempt can take (one deadline of ``timeout_seconds()`` covers connecting,
    sending and reading the answer), so a live worker never loses its lease;
    ``settings.SOP_WEBHOOK_LEASE`` (seconds) overrides it, for tests that kill workers.
    """
    override = getattr(settings, "SOP_WEBHOOK_LEASE", None)
    if override:
        return timedelta(seconds=float(override))
    return timedelta(seconds=3 * timeout_seconds() + 15)


def retry_delay(failed_attempts: int) -> timedelta | None:
    """The wait after the n-th failed attempt, with jitter; None when it is time to give up."""
    if failed_attempts > len(RETRY_DELAYS):
        return None
    base = RETRY_DELAYS[failed_attempts - 1]
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


@dataclass(frozen=True)
class Job:
    """What a send needs, read with the claim: the event (``event_id`` is the webhook-id) and
    the endpoint."""

    attempts: int
    event_pk: int
    event_id: str
    type: str
    created_on: datetime
    payload: dict
    endpoint_id: int
    url: str
    secret: str


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    lease_until: datetime
    job: Job | None = field(default=None, compare=False)


def _earlier_undelivered():
    """An earlier event of the same ordering key to the same endpoint that is not delivered
    yet (its id, or NULL). A scalar subquery, so the database runs it per candidate as one
    probe of the ``delivery_undelivered`` index — never joined in a plan chosen from row
    estimates, which a burst of queued webhooks makes stale (an anti-join that scanned the
    whole queue once per candidate)."""
    return Subquery(
        Delivery.objects.filter(
            endpoint=OuterRef("endpoint"),
            ordering_key=OuterRef("ordering_key"),
            event__lt=OuterRef("event"),
        )
        .exclude(ordering_key="")
        .exclude(status=Delivery.Status.DELIVERED)
        .order_by()
        .values("pk")[:1]
    )


def claimable(now: datetime):
    """Deliveries that are due, not leased by a live worker, and not waiting behind another."""
    return (
        Delivery.objects.filter(
            status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILING],
            next_attempt_at__lte=now,
            endpoint__is_enabled=True,
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .alias(earlier=_earlier_undelivered())
        .filter(earlier__isnull=True)
    )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _when(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


_CLAIM_SQL: dict[tuple, tuple[str, list]] = {}
_NOW = datetime(2000, 1, 1, tzinfo=UTC)  # stands for "now" in the cached statement
_LEASE = object()  # stands for the lease's end


def _claim_sql(limit: int) -> tuple[str, list]:
    """The claim statement and its parameters, with ``_NOW`` and ``_LEASE`` where those go:
    compiled once per process and batch size (the ORM's compile costs more than the statement
    runs)."""
    key = (connection.vendor, limit)
    if key not in _CLAIM_SQL:
        # No ORDER BY: the scan stops at the ``limit``-th claimable row, in the table's order
        # (about the order rows were queued in). Sorting first would test every due row —
        # and a burst of queued webhooks, seen through statistics from before it, makes the
        # planner choose exactly that. The batch is sorted by event once claimed.
        candidates = claimable(_NOW).order_by().values("pk")[:limit]
        select, params = candidates.query.sql_with_params()
        now = _when(_NOW)
        params = [_NOW if value == now else value for value in params]
        delivery, event, endpoint = _table(Delivery), _table(Event), _table(Endpoint)
        if connection.vendor == "postgresql":
            # The candidates are read once (MATERIALIZED: never re-run per row of a join the
            # planner might pick), locked as they are read — rows another worker is claiming
            # right now are skipped, not waited for — then leased, and joined to their event
            # and endpoint.
            sql = (
                f"WITH candidates AS MATERIALIZED ({select} FOR UPDATE OF {delivery} SKIP LOCKED), "  # noqa: S608  # nosec B608
                f"claimed AS (UPDATE {delivery} d SET locked_until = %s FROM candidates c "
                "WHERE d.id = c.pk RETURNING d.id, d.attempts, d.event_id, d.endpoint_id) "
                "SELECT c.id, c.attempts, c.event_id, e.event_id, e.type, e.created_on, "
                "e.payload, c.endpoint_id, p.url, p.secret FROM claimed c "
                f"JOIN {event} e ON e.sequence = c.event_id "
                f"JOIN {endpoint} p ON p.id = c.endpoint_id"
            )
            params = [*params, _LEASE]
        else:  # SQLite: no UPDATE inside WITH, no row locks (the one statement is atomic)

            def of_event(column: str) -> str:
                return f"(SELECT e.{column} FROM {event} e WHERE e.sequence = {delivery}.event_id)"  # noqa: S608  # nosec B608

            def of_endpoint(column: str) -> str:
                return f"(SELECT p.{column} FROM {endpoint} p WHERE p.id = {delivery}.endpoint_id)"  # noqa: S608  # nosec B608

            returning = ", ".join(
                [
                    "id",
                    "attempts",
                    "event_id",
                    of_event("event_id"),
                    of_event("type"),
                    of_event("created_on"),
                    of_event("payload"),
                    "endpoint_id",
                    of_endpoint("url"),
                    of_endpoint("secret"),
                ]
            )
            # Table names from the models' metadata, quoted; every value is a parameter.
            sql = (
                f"UPDATE {delivery} SET locked_until = %s WHERE id IN ({select}) "  # noqa: S608  # nosec B608
                f"RETURNING {returning}"
            )
            params = [_LEASE, *params]
        _CLAIM_SQL[key] = (sql, params)
    return _CLAIM_SQL[key]


def claim_parameters(template: list, *, now: datetime, lease_until: datetime) -> list:
    """The claim's parameters for this moment."""
    values = {id(_NOW): _when(now), id(_LEASE): _when(lease_until)}
    return [values.get(id(value), value) for value in template]


def claim_due(*, now: datetime | None = None, limit: int = 10) -> list[Claim]:
    """Lease up to ``limit`` due deliveries to this worker (sent in event order): one
    statement that stamps the lease and returns what the sends need."""
    now = now or timezone.now()
    lease_until = now + lease_duration()
    sql, template = _claim_sql(limit)
    # One statement, atomic on its own: no transaction around it.
    with connection.cursor() as cursor:
        cursor.execute(sql, claim_parameters(template, now=now, lease_until=lease_until))
        rows = cursor.fetchall()
    claims = [
        Claim(
            row[0],
            lease_until,
            Job(row[1], *row[2:5], _datetime(row[5]), _json(row[6]), *row[7:]),
        )
        for row in rows
    ]
    claims.sort(key=lambda claim: (claim.job.event_pk, claim.job.endpoint_id))
    return claims


def _datetime(value) -> datetime:
    if isinstance(value, str):  # SQLite
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def _job(delivery_id: int) -> Job:
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    event, endpoint = delivery.event, delivery.endpoint
    return Job(
        delivery.attempts,
        event.pk,
        event.event_id,
        event.type,
        event.created_on,
        event.payload,
        endpoint.pk,
        endpoint.url,
        endpoint.secret,
    )


def webhook_body(event) -> str:
    """The Standard Webhooks payload: ``{"type", "timestamp", "data"}``, compact JSON."""
    return json.dumps(
        {
            "type": event.type,
            "timestamp": event.created_on.isoformat().replace("+00:00", "Z"),
            "data": event.payload,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def signed_headers(*, event, secret: str, body: str, sent_at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers; ``webhook-id`` is the event id on every retry."""
    return {
        "content-type": "application/json",
        "user-agent": "sopsite-webhooks/1",
        "webhook-id": event.event_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(
            msg_id=event.event_id, timestamp=sent_at, data=body
        ),
    }


def send(*, url: str, body: str, headers: dict[str, str]) -> Outcome:
    """POST once, within one overall deadline of ``timeout_seconds()`` (see ``transport``)."""
    return post(url, body=body.encode(), headers=headers, timeout=timeout_seconds())


def attempt(claim: Claim, *, now: datetime | None = None) -> Outcome:
    """Send one claimed delivery and record the attempt and the new schedule."""
    outcome = send_claimed(claim)
    record_outcomes([(claim, outcome, timezone.now())], now=now)
    return outcome


def send_claimed(claim: Claim) -> Outcome:
    """Sign and POST one claimed delivery (nothing is written)."""
    job = claim.job or _job(claim.delivery_id)
    body = webhook_body(job)
    # The signature's timestamp is the real time of sending: receivers reject stale ones.
    sent_at = timezone.now()
    try:
        headers = signed_headers(event=job, secret=job.secret, body=body, sent_at=sent_at)
    except (ValueError, TypeError, RuntimeError) as error:
        # A secret edited by hand into something that is not base64: a failure like any
        # other (retried, then dead-lettered), visible on App Settings, until it is rotated.
        return Outcome(False, None, f"Cannot sign with the endpoint's secret: {error}", 0)
    return send(url=job.url, body=body, headers=headers)


OUTCOME_COLUMNS = ("id", "lease", "status", "code", "error", "delivered_on", "next_at", "at", "ms")


def _iso(value: datetime) -> str:
    return value.isoformat()


def _outcome_row(claim: Claim, outcome: Outcome, at: datetime, now: datetime) -> list:
    """id, lease, status, status code, error, delivered on, next attempt, attempt at, ms."""
    job = claim.job or _job(claim.delivery_id)
    delivered_on = next_attempt_at = None
    if outcome.ok:
        status, error, delivered_on = Delivery.Status.DELIVERED, "", now
    else:
        delay = retry_delay(job.attempts + 1)
        status, error = Delivery.Status.DEAD, outcome.error
        if delay is None:
            logger.warning("Webhook %s to %s dead-lettered", job.event_id, job.url)
        else:
            status, next_attempt_at = Delivery.Status.FAILING, now + delay
    return [
        claim.delivery_id,
        _when(claim.lease_until),
        str(status),
        outcome.status_code,
        error,
        None if delivered_on is None else _when(delivered_on),
        None if next_attempt_at is None else _when(next_attempt_at),
        _when(at),
        outcome.duration_ms,
    ]


def record_outcomes(results, *, now=None) -> None:
    """Each attempt's log row, and each delivery's new state, for a batch of sends — written
    only by the holder of the lease: a worker that outlived its lease (it should not, see
    ``lease_duration``) leaves the row to the one that took it over. An attempt is logged if
    its delivery still exists (its endpoint may have been deleted meanwhile).

    One statement for the whole batch on PostgreSQL; two on SQLite (no data-modifying WITH).
    """
    if not results:
        return
    now = now or timezone.now()
    rows = [_outcome_row(claim, outcome, at, now) for claim, outcome, at in results]
    delivery, attempts = _table(Delivery), _table(DeliveryAttempt)
    if connection.vendor == "postgresql":
        # The batch as one JSON parameter: the statement's text is the same for every batch,
        # and encoding it is one ``json.dumps`` rather than an adapter call per value.
        sql = (
            "WITH outcome AS (SELECT * FROM json_to_recordset(%s::json) AS o (id bigint, "  # noqa: S608  # nosec B608
            "lease timestamptz, status text, code int, error text, delivered_on timestamptz, "
            "next_at timestamptz, at timestamptz, ms int)), "
            f"mine AS (UPDATE {delivery} d SET status = o.status, "
            "attempts = d.attempts + 1, locked_until = NULL, last_status_code = o.code, "
            "last_error = o.error, delivered_on = COALESCE(o.delivered_on, d.delivered_on), "
            "next_attempt_at = COALESCE(o.next_at, d.next_attempt_at) "
            "FROM outcome o WHERE d.id = o.id AND d.locked_until = o.lease) "
            f"INSERT INTO {attempts} (delivery_id, at, status_code, error, duration_ms) "
            "SELECT o.id, o.at, o.code, o.error, o.ms FROM outcome o "
            f"WHERE EXISTS (SELECT 1 FROM {delivery} WHERE id = o.id)"
        )
        batch = json.dumps(
            [dict(zip(OUTCOME_COLUMNS, row, strict=True)) for row in rows], default=_iso
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [batch])
        charts_changed(ChartStamp.DELIVERIES)  # one UPDATE per batch: the charts' cache
        return
    insert = (
        f"INSERT INTO {attempts} (delivery_id, at, status_code, error, duration_ms) "  # noqa: S608  # nosec B608
        f"SELECT %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM {delivery} WHERE id = %s)"
    )
    update = (
        f"UPDATE {delivery} SET status = %s, attempts = attempts + 1, locked_until = NULL, "  # noqa: S608  # nosec B608
        "last_status_code = %s, last_error = %s, delivered_on = COALESCE(%s, delivered_on), "
        "next_attempt_at = COALESCE(%s, next_attempt_at) WHERE id = %s AND locked_until = %s"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(insert, [[r[0], r[7], r[3], r[4], r[8], r[0]] for r in rows])
        cursor.executemany(update, [[r[2], r[3], r[4], r[5], r[6], r[0], r[1]] for r in rows])
        charts_changed(ChartStamp.DELIVERIES)


def _lease_covers_attempt(claim: Claim, now: datetime | None) -> bool:
    left = claim.lease_until - (now or timezone.now())
    return left > timedelta(seconds=timeout_seconds()) + LEASE_MARGIN


_tuned = weakref.WeakSet()


def _tune_connection() -> None:
    """On PostgreSQL, the worker's connection commits without waiting for the disk flush
    (``synchronous_commit = off``, for this session only): a delivery's outcome is then one
    round trip, not one fsync. What a database crash can lose is the last fraction of a second
    of outcomes and leases; those deliveries are sent again with the same ``webhook-id``, which
    receivers already deduplicate (a retry looks the same). Nothing else is written on it."""
    if connection.vendor != "postgresql":
        return
    connection.ensure_connection()
    raw = connection.connection
    if raw in _tuned:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    _tuned.add(raw)


def deliver_due(*, now: datetime | None = None, limit: int = DEFAULT_BATCH, stop=None) -> int:
    """Claim and send up to ``limit`` due deliveries; returns how many were claimed.

    The outcomes are written together when the batch is sent (and before a lease has to be
    renewed, so a lease never runs out under an unwritten outcome). When ``stop`` is set
    midway, the claims not sent yet are released at once, so another worker can send them
    without waiting for the lease to run out.
    """
    _tune_connection()
    claims = claim_due(now=now, limit=limit)
    results = []
    try:
        for index, claim in enumerate(claims):
            if stop is not None and stop.is_set():
                release(claims[index:])
                break
            if not _lease_covers_attempt(claim, now):
                record_outcomes(results, now=now)
                results = []
                claim = renew_lease(claim, now=now)
                if claim is None:
                    continue  # our lease ran out meanwhile; another worker has it
            results.append((claim, send_claimed(claim), timezone.now()))
    finally:
        record_outcomes(results, now=now)
    return len(claims)


def release(claims: list[Claim]) -> None:
    for claim in claims:
        Delivery.objects.filter(pk=claim.delivery_id, locked_until=claim.lease_until).update(
            locked_until=None
        )


def renew_lease(claim: Claim, *, now: datetime | None = None) -> Claim | None:
    """Restart the lease just before sending, so it covers this attempt however long the
    earlier deliveries of the batch took; None when the lease was lost (taken over)."""
    lease_until = (now or timezone.now()) + lease_duration()
    renewed = Delivery.objects.filter(pk=claim.delivery_id, locked_until=claim.lease_until).update(
        locked_until=lease_until
    )
    return Claim(claim.delivery_id, lease_until, claim.job) if renewed else None


class StopFlag:
    """Asks the worker to stop; safe to set from a signal handler, any number of times.

    A plain attribute that the loops poll, not a ``threading.Event``: ``Event.set()`` takes a
    lock, and a second signal arriving while the first handler holds it runs the handler again
    on the same (main) thread, which then waits for its own lock forever.
    """

    POLL = 0.05  # seconds between looks at the flag while waiting

    def __init__(self):
        self.requested = False

    def set(self) -> None:
        self.requested = True

    def is_set(self) -> bool:
        return self.requested

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, less once the flag is set; returns whether it is."""
        until = time.monotonic() + seconds
        while not self.requested and (left := until - time.monotonic()) > 0:
            time.sleep(min(left, self.POLL))
        return self.requested


def run_worker(*, stop, poll_interval: float = 1.0, batch: int = DEFAULT_BATCH) -> None:
    """Deliver until ``stop.is_set()``; waits ``poll_interval`` when nothing is due."""
    while not stop.is_set():
        try:
            sent = deliver_due(limit=batch, stop=stop)
        except Exception:
            # A lost database connection or a locked SQLite file must not end the worker.
            logger.exception("Webhook delivery round failed; retrying")
            connection.close()
            sent = 0
        if not sent:
            stop.wait(poll_interval)

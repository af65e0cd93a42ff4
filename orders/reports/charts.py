"""The figures behind the charts: order value by state, orders submitted per week with the
median hours to acknowledged and to fulfilled, deliveries per day by outcome.

Each returns a ``Figures`` that both the chart (an SVG drawn on the server) and its table
alternative are made from, so the two always say the same. Aggregates run in the database;
the medians read one row per order submitted in the period.

The figures grow with the data (a sum over every order, weeks of audit entries), so each is
kept in the cache under what it shows — the chart, whose orders (everyone's or one owner's),
today's date and the token of the rows it reads (``ChartStamp``, renewed after every committed
change of those rows) — for at most ``CACHE_SECONDS``. Inside a transaction the figures are
computed afresh: that transaction's own writes are not in a token yet. See docs/decisions.md.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from statistics import median

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from orders import lifecycle
from orders.models import AuditEntry, ChartStamp, Delivery
from orders.selectors import documents_for

WEEKS = 12
DAYS = 14
CACHE_SECONDS = 60  # a bound, not the freshness: a change renews the key at once


@dataclass(frozen=True)
class Figures:
    key: str
    title: str
    description: str  # what the chart shows, in one sentence (the SVG's <desc>)
    x_title: str
    labels: list[str]
    series: list[tuple[str, list]] = field(default_factory=list)
    unit: str = ""
    stacked: bool = False
    line: bool = False

    @property
    def empty(self) -> bool:
        return not any(value for _, values in self.series for value in values if value)

    @property
    def rows(self) -> list[tuple[str, list]]:
        """The table alternative: one row per label, one column per series."""
        return [
            (label, [values[index] for _, values in self.series])
            for index, label in enumerate(self.labels)
        ]


def _scope(user) -> str:
    """Whose orders a chart shows: everyone's, the user's own, or none (documents_for)."""
    if not (user.is_authenticated and user.has_perm(f"orders.view_{lifecycle.SALES_ORDER}")):
        return "none"
    return "all" if user.has_perm("orders.view_all_documents") else f"own-{user.pk}"


def _cached(name: str, scope: str, topics: tuple[str, ...], compute):
    """``compute()``, or what it returned for the same chart, scope, day and tokens."""
    if connection.in_atomic_block:
        return compute()
    tokens = ChartStamp.tokens(*topics)  # before the figures: see charts_changed
    shown = f"{connection.alias}:{connection.settings_dict['NAME']}"
    key = (
        "sop-chart:"
        + hashlib.sha256(
            ":".join([shown, name, scope, timezone.localdate().isoformat(), *tokens]).encode()
        ).hexdigest()
    )
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def order_value_by_state(user) -> Figures:
    """Total amount of the orders the user sees, per state (a series per currency)."""
    return _cached(
        "order-value", _scope(user), (ChartStamp.ORDERS,), lambda: _order_value_by_state(user)
    )


def _order_value_by_state(user) -> Figures:
    orders = documents_for(user, lifecycle.SALES_ORDER)
    sums = (
        orders.order_by()
        .values("state", "currency__code")
        .annotate(total=Sum("total_amount"), n=Count("id"))
    )
    states = lifecycle.state_choices(lifecycle.SALES_ORDER)
    by_currency: dict[str, dict[str, Decimal]] = {}
    for row in sums:
        by_currency.setdefault(row["currency__code"], {})[row["state"]] = row["total"]
    series = [
        (code, [float(values.get(state, 0) or 0) for state, _ in states])
        for code, values in sorted(by_currency.items())
    ]
    return Figures(
        key="order-value",
        title="Order value by state",
        description="Total amount of the sales orders in each state"
        + (f", in {', '.join(by_currency)}." if by_currency else "."),
        x_title="State",
        labels=[label for _, label in states],
        series=series,
        unit=", ".join(sorted(by_currency)),
    )


def _week_start(day):
    return day - timedelta(days=day.weekday())


def orders_per_week(user, *, weeks: int = WEEKS) -> tuple[Figures, Figures]:
    """Orders submitted per week (last ``weeks`` weeks), and the median hours from submit to
    acknowledged and to fulfilled for the orders submitted that week."""
    return _cached(
        f"per-week-{weeks}",
        _scope(user),
        (ChartStamp.ORDERS,),
        lambda: _orders_per_week(user, weeks=weeks),
    )


def _orders_per_week(user, *, weeks: int) -> tuple[Figures, Figures]:
    today = timezone.localdate()
    first = _week_start(today) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    visible = documents_for(user, lifecycle.SALES_ORDER).values("pk")
    since = timezone.make_aware(datetime.combine(first, time.min))
    submits = AuditEntry.objects.filter(
        document_kind=lifecycle.SALES_ORDER, action="submit", at__gte=since, document_id__in=visible
    ).values_list("document_id", "at")
    fulfils = dict(
        AuditEntry.objects.filter(
            document_kind=lifecycle.SALES_ORDER,
            action="fulfill",
            at__gte=since,
            document_id__in=visible,
        ).values_list("document_id", "at")
    )
    acknowledged = dict(
        documents_for(user, lifecycle.SALES_ORDER)
        .filter(submitted_on__gte=since, last_back_office_submit__isnull=False)
        .values_list("pk", "last_back_office_submit")
    )
    counts = dict.fromkeys(starts, 0)
    to_ack: dict = {start: [] for start in starts}
    to_fulfil: dict = {start: [] for start in starts}
    for order_id, at in submits:
        week = _week_start(timezone.localtime(at).date())
        if week not in counts:
            continue
        counts[week] += 1
        if order_id in acknowledged and acknowledged[order_id] >= at:
            to_ack[week].append((acknowledged[order_id] - at).total_seconds() / 3600)
        if order_id in fulfils and fulfils[order_id] >= at:
            to_fulfil[week].append((fulfils[order_id] - at).total_seconds() / 3600)
    labels = [start.strftime("%d %b") for start in starts]

    def medians(hours):
        return [round(median(hours[start]), 1) if hours[start] else None for start in starts]

    per_week = Figures(
        key="submitted-per-week",
        title="Orders submitted per week",
        description=f"How many sales orders were submitted in each of the last {weeks} weeks.",
        x_title="Week starting",
        labels=labels,
        series=[("Submitted", [counts[start] for start in starts])],
        unit="orders",
    )
    times = Figures(
        key="time-to-answer",
        title="Median hours from submit",
        description=(
            "For the orders submitted each week: the median hours until the back office "
            "acknowledged them and until they were fulfilled."
        ),
        x_title="Week starting",
        labels=labels,
        series=[("To acknowledged", medians(to_ack)), ("To fulfilled", medians(to_fulfil))],
        unit="hours",
        line=True,
    )
    return per_week, times


DELIVERY_OUTCOMES = [
    (Delivery.Status.DELIVERED, "Delivered"),
    (Delivery.Status.QUEUED, "Waiting"),
    (Delivery.Status.FAILING, "Failing"),
    (Delivery.Status.DEAD, "Failed"),
]


def deliveries_per_day(*, days: int = DAYS) -> Figures:
    """Webhook deliveries created each day (last ``days`` days), by where they stand now."""
    return _cached(
        f"deliveries-{days}", "all", (ChartStamp.DELIVERIES,), lambda: _deliveries_per_day(days)
    )


def _deliveries_per_day(days: int) -> Figures:
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        Delivery.objects.filter(created_on__gte=since)
        .annotate(day=TruncDate("created_on"))
        .values("day", "status")
        .order_by()
        .annotate(n=Count("id"))
    )
    counts = {(row["day"], row["status"]): row["n"] for row in rows}
    dates = [first + timedelta(days=n) for n in range(days)]
    return Figures(
        key="deliveries-per-day",
        title="Deliveries to the back office per day",
        description=f"Webhook deliveries of each of the last {days} days, by outcome.",
        x_title="Day",
        labels=[day.strftime("%d %b") for day in dates],
        series=[
            (label, [counts.get((day, status), 0) for day in dates])
            for status, label in DELIVERY_OUTCOMES
        ],
        unit="deliveries",
        stacked=True,
    )

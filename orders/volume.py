"""Volume data for `manage.py seed_volume`: many sales orders in every state, fast.

The documents are what the services would have written — totals equal to their lines (the
pricing engine's own formulas), a number from the order sequence, an audit entry per
transition, history rows, and for every order that reached the back office its
``salesorder.submitted`` event with one delivery per endpoint — but written with bulk inserts,
a chunk of orders per transaction, so 100,000 orders take a couple of minutes instead of hours.
It is for measuring and trying the pages at scale, never for production data.
"""

import json
import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from orders import demo
from orders.integration import payloads
from orders.integration.outbox import salesorder_ordering_key
from orders.models import (
    Account,
    AuditEntry,
    ChartStamp,
    Delivery,
    DeliveryAttempt,
    Endpoint,
    Event,
    NumberSequence,
    PriceListItem,
    SalesOrder,
    SalesOrderLine,
    charts_changed,
)
from orders.models.history import CREATED, record_history
from orders.pricing import engine
from settings_app import roles

# Fields whose stored value psycopg writes as the instance holds it (the timestamps' auto_now
# is off while seeding, see _stored_timestamps).
AS_THEY_ARE = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateTimeField,
    models.DecimalField,
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
)

CHUNK = 5000  # orders per transaction: bounded memory, and progress to show
BATCH = 2000  # rows per INSERT

# The share of orders in each state / status reason (sums to 1).
STATES = [
    (("active", "new"), 0.30),
    (("active", "pending"), 0.05),
    (("submitted", "in_progress"), 0.15),
    (("fulfilled", "complete"), 0.20),
    (("fulfilled", "partial"), 0.05),
    (("invoiced", "invoiced"), 0.15),
    (("canceled", "no_money"), 0.10),
]
REACHED_BACK_OFFICE = {"pending", "in_progress", "complete", "partial", "invoiced"}

ACCOUNT_FIRST = [
    "Contoso",
    "Fabrikam",
    "Northwind",
    "Litware",
    "Proseware",
    "Tailspin",
    "Woodgrove",
    "Wingtip",
    "Lucerne",
    "Alpine",
    "Coho",
    "Trey",
    "VanArsdel",
    "Humongous",
    "Adatum",
    "Relecloud",
    "Fourth",
    "Margie",
    "Wide",
    "Blue",
]
ACCOUNT_SECOND = "Retail Stores Traders Markets Outfitters Supply Group Foods Pharmacy Hardware"
ACCOUNT_SECOND = ACCOUNT_SECOND.split()
CITIES = [
    "Seattle",
    "Denver",
    "Austin",
    "Boston",
    "Chicago",
    "Portland",
    "Atlanta",
    "Phoenix",
    "Dallas",
    "Miami",
]
ORDER_WHAT = [
    "Store refit",
    "Spare scanners",
    "Checkout lanes",
    "Printer refill",
    "Paper supply",
    "Kiosk rollout",
    "Back office PCs",
    "Flagship store",
    "Outlet refit",
    "Cash drawers",
    "Seasonal restock",
    "Pop-up store",
    "Warehouse scanners",
    "Receipt printers",
    "Installation days",
]
ORDER_WHEN = [
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "spring",
    "summer",
    "autumn",
    "winter",
    "phase 1",
    "phase 2",
    "pilot",
    "rollout",
]


@dataclass
class Made:
    """What a run wrote, for the command's summary and the tests."""

    orders: int = 0
    lines: int = 0
    events: int = 0
    deliveries: int = 0
    accounts: int = 0
    salespeople: int = 0


@contextmanager
def _stored_timestamps(*models):
    """Keep the ``created_on``/``modified_on``-style times the generator sets (spread over two
    years) instead of letting ``auto_now``/``auto_now_add`` stamp every row with now."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class _Rows:
    """New instances of ``model`` from values by attname (``account_id``, not ``account``),
    made without ``Model.__init__``: its per-field defaults and relation checks were a quarter
    of a run. The fields' constant defaults are copied into each, callable ones called."""

    def __init__(self, model):
        fields = model._meta.concrete_fields
        self.model = model
        self.constant = {f.attname: f.get_default() for f in fields if not callable(f.default)}
        self.called = [(f.attname, f) for f in fields if callable(f.default)]

    def __call__(self, **values):
        obj = self.model.__new__(self.model)
        row = obj.__dict__
        row.update(self.constant)
        for attname, field in self.called:
            row[attname] = field.get_default()
        row.update(values)
        obj._state = ModelState()
        return obj


def _insert(model, objs: list) -> None:
    """Insert ``objs`` and give each its primary key, as ``bulk_create`` does.

    On PostgreSQL: the keys are drawn from the table's sequence in one query and the rows go
    in through ``COPY`` — Django's ``bulk_create`` spent most of a run compiling statements and
    adapting each of the ~5 million values. Values psycopg writes as they are (text, numbers,
    decimals, times, keys) go straight from the instance; the others (JSON) are prepared by
    their field, as Django's insert prepares them.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    table, pk = meta.db_table, meta.pk
    fields = list(meta.concrete_fields)
    # the wrapper itself: every attribute read through the ``connection`` proxy is a lookup
    wrapper = connections[connection.alias]
    prepared = [
        (None if isinstance(field, AS_THEY_ARE) else field, field.attname) for field in fields
    ]
    with wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(objs)],
        )
        for obj, (key,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, key)
        quote = wrapper.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                values = obj.__dict__
                copy.write_row(
                    [
                        values[attname]
                        if field is None
                        else field.get_db_prep_save(field.pre_save(obj, True), wrapper)
                        for field, attname in prepared
                    ]
                )
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


def _salespeople(count: int) -> list:
    User = get_user_model()
    group = Group.objects.get(name=roles.SALESPERSON)
    names = [f"seller{index:03d}" for index in range(1, count + 1)]
    present = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    new = []
    for index, name in enumerate(names, 1):
        if name not in present:
            user = User(username=name, first_name="Seller", last_name=f"{index:03d}")
            user.email = f"{name}@example.com"
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new, batch_size=BATCH)
    users = list(User.objects.filter(username__in=names).order_by("username"))
    group.user_set.add(*users)
    return users, len(new)


def _accounts(count: int, price_list) -> tuple[list, int]:
    numbers = [f"VOL-{index:06d}" for index in range(1, count + 1)]
    present = set(Account.objects.filter(number__in=numbers).values_list("number", flat=True))
    pairs = [(first, second) for first in ACCOUNT_FIRST for second in ACCOUNT_SECOND]
    new = []
    for index, number in enumerate(numbers):
        if number in present:
            continue
        first, second = pairs[index % len(pairs)]
        city = CITIES[(index // len(pairs)) % len(CITIES)]
        name = f"{first} {second}"
        if index >= len(pairs):
            name = f"{name} {city} {index // (len(pairs) * len(CITIES)) + 1}"
        new.append(
            Account(
                number=number,
                name=name,
                bill_to_address=f"{index % 900 + 1} Main Street\n{city}",
                ship_to_address=f"Dock {index % 9 + 1}, {index % 900 + 1} Main Street\n{city}",
                default_price_list=price_list,
            )
        )
    Account.objects.bulk_create(new, batch_size=BATCH)
    return list(Account.objects.filter(number__in=numbers).order_by("number")), len(new)


def _reserve_numbers(count: int) -> int:
    """The first of ``count`` consecutive order numbers, taken from the sequence under its lock."""
    prefix = SalesOrder.NUMBER_PREFIX
    with transaction.atomic():
        NumberSequence.objects.get_or_create(prefix=prefix)
        sequence = NumberSequence.objects.select_for_update().get(pk=prefix)
        first = sequence.next_value
        NumberSequence.objects.filter(pk=prefix).update(next_value=first + count)
    return first


def _pick_state(rng: random.Random) -> tuple[str, str]:
    roll, total = rng.random(), 0.0
    for state, share in STATES:
        total += share
        if roll < total:
            return state
    return STATES[-1][0]


def seed_volume(
    *,
    orders: int,
    lines_per_order: int = 3,
    accounts: int = 500,
    salespeople: int = 20,
    seed: int = 1,
    progress=None,
) -> Made:
    """Add ``orders`` sales orders with about ``lines_per_order`` lines each (±1), spread over
    ``accounts`` accounts and ``salespeople`` salespeople (created when missing)."""
    rng = random.Random(seed)
    made = Made()
    price_list = demo.seed_catalog()
    currency = price_list.currency
    places = currency.precision
    items = list(
        PriceListItem.objects.filter(price_list=price_list).select_related("product", "unit")
    )
    sellers, made.salespeople = _salespeople(salespeople)
    account_rows, made.accounts = _accounts(accounts, price_list)
    endpoints = list(Endpoint.objects.all())
    if not endpoints:
        # A paused receiver, so the deliveries exist (App Settings shows them) and no worker
        # starts posting 100,000 webhooks anywhere.
        endpoints = [
            Endpoint.objects.create(
                url="https://back-office.example/webhooks",
                secret="whsec_" + "c2VlZC12b2x1bWUtc2VjcmV0LWtleS0xMjM0NTY3OA==",
                description="Volume data (paused)",
                is_enabled=False,
            )
        ]
    first_number = _reserve_numbers(orders)
    now = timezone.now()
    span = timedelta(days=730).total_seconds()
    with _stored_timestamps(
        SalesOrder, SalesOrderLine, Event, Delivery, DeliveryAttempt, AuditEntry
    ):
        for start in range(0, orders, CHUNK):
            count = min(CHUNK, orders - start)
            with transaction.atomic():
                _chunk(
                    rng,
                    made,
                    numbers=range(first_number + start, first_number + start + count),
                    position=(start, orders),
                    now=now,
                    span=span,
                    items=items,
                    sellers=sellers,
                    accounts=account_rows,
                    endpoints=endpoints,
                    price_list=price_list,
                    currency=currency,
                    places=places,
                    lines_per_order=lines_per_order,
                )
            if progress:
                progress(made)
    charts_changed(ChartStamp.ORDERS)  # bulk inserts send no signals: the charts' cache
    charts_changed(ChartStamp.DELIVERIES)
    return made


def _chunk(rng, made, *, numbers, position, now, span, items, sellers, accounts, endpoints,
           price_list, currency, places, lines_per_order):  # fmt: skip
    start, total = position
    new_order, new_line = _Rows(SalesOrder), _Rows(SalesOrderLine)
    documents, lines_of = [], []
    for offset, value in enumerate(numbers):
        # Older orders have lower numbers: time runs with the number, as it does for real.
        age = span * (1 - (start + offset + rng.random()) / total)
        created = now - timedelta(seconds=age)
        state, reason = _pick_state(rng)
        owner = rng.choice(sellers)
        account = rng.choice(accounts)
        order = new_order(
            number=f"{SalesOrder.NUMBER_PREFIX}-{value:05d}",
            name=f"{rng.choice(ORDER_WHAT)} {rng.choice(ORDER_WHEN)}",
            account_id=account.pk,
            account_name=account.name,  # bulk_create does not call save()
            price_list_id=price_list.pk,
            currency_id=currency.pk,
            owner_id=owner.pk,
            created_by_id=owner.pk,
            modified_by_id=owner.pk,
            state=state,
            status_reason=reason,
            created_on=created,
            modified_on=created + timedelta(seconds=rng.uniform(60, min(age, 86400 * 20) + 60)),
            discount_percentage=rng.choice([Decimal("0")] * 4 + [Decimal("5")]),
            freight_amount=rng.choice([Decimal("0")] * 3 + [Decimal("25.00")]),
        )
        if reason in REACHED_BACK_OFFICE:
            order.submitted_on = order.modified_on - timedelta(seconds=30)
            order.submitted_by_id = owner.pk
        if state in {"fulfilled", "invoiced"}:
            order.external_reference = f"ERP-{value}"
            order.submit_status = "accepted"
            order.last_back_office_submit = order.modified_on
        if reason == "pending":
            order.submit_status_description = "Credit hold: the account is over its limit."
        lines = []
        count = max(1, lines_per_order + rng.choice((-1, 0, 0, 1))) if lines_per_order else 0
        for number in range(1, count + 1):
            item = rng.choice(items)
            quantity = Decimal(rng.choice((1, 2, 3, 4, 5, 6, 10, 12, 24, 50)))
            price = item.product.list_price
            tax = engine.quantize(price * quantity * Decimal("0.08"), places) * rng.choice((0, 1))
            discount = rng.choice([Decimal("0")] * 5 + [Decimal("10.00")])
            amounts = engine.line_amounts(
                price_per_unit=price,
                volume_discount_amount=Decimal("0"),
                quantity=quantity,
                manual_discount_amount=discount,
                tax=tax,
                method="per_line",
                places=places,
            )
            lines.append(
                new_line(
                    line_number=number,
                    product_id=item.product_id,
                    unit_id=item.unit_id,
                    quantity=quantity,
                    price_per_unit=price,
                    manual_discount_amount=discount,
                    tax=tax,
                    base_amount=amounts.base_amount,
                    extended_amount=amounts.extended_amount,
                    created_on=order.created_on,
                    modified_on=order.created_on,
                )
            )
        sums = engine.LineSums(
            base_amount=sum((line.base_amount for line in lines), Decimal("0")),
            extended_amount=sum((line.extended_amount for line in lines), Decimal("0")),
            tax=sum((line.tax for line in lines), Decimal("0")),
        )
        totals = engine.header_totals(
            sums,
            discount_percentage=order.discount_percentage,
            discount_amount=order.discount_amount,
            freight_amount=order.freight_amount,
            places=places,
        )
        for name, value_ in totals.as_dict().items():
            setattr(order, name, value_)
        order.version = 1 + len(lines) + (state != "active") + (reason == "pending")
        documents.append(order)
        lines_of.append(lines)

    _insert(SalesOrder, documents)
    all_lines = []
    for order, lines in zip(documents, lines_of, strict=True):
        for line in lines:
            line.document_id = order.pk
        all_lines.extend(lines)
    _insert(SalesOrderLine, all_lines)
    record_history(SalesOrder, [order.pk for order in documents], actor=None, history_type=CREATED)
    for index in range(0, len(all_lines), BATCH * 5):
        chunk = all_lines[index : index + BATCH * 5]
        pks = [line.pk for line in chunk]
        record_history(SalesOrderLine, pks, actor=None, history_type=CREATED)

    audits, events, fates = [], [], []
    new_audit, new_event = _Rows(AuditEntry), _Rows(Event)
    for order, lines in zip(documents, lines_of, strict=True):
        audits.extend(_audit_trail(new_audit, order))
        if order.submitted_on is None:
            continue
        # The payload as it was sent: at submission, before the back office moved the order on.
        state, reason, version = order.state, order.status_reason, order.version
        order.state, order.status_reason, order.version = "submitted", "in_progress", len(lines) + 2
        order._prefetched_objects_cache = {"lines": lines}  # document.lines.all() reads it
        fates.append(state)
        events.append(
            new_event(
                type=payloads.SALESORDER_SUBMITTED,
                payload=_json(payloads.salesorder_submitted(order)),
                ordering_key=salesorder_ordering_key(order),
                created_on=order.submitted_on,
                actor_id=order.owner_id,
            )
        )
        del order._prefetched_objects_cache
        order.state, order.status_reason, order.version = state, reason, version
    _insert(AuditEntry, audits)
    _insert(Event, events)
    deliveries, new_delivery, new_attempt = [], _Rows(Delivery), _Rows(DeliveryAttempt)
    for event, state in zip(events, fates, strict=True):
        for endpoint in endpoints:
            waiting = state == "submitted"
            deliveries.append(_delivery(new_delivery, rng, event, endpoint, now, waiting=waiting))
    _insert(Delivery, deliveries)
    _insert(
        DeliveryAttempt,
        [
            new_attempt(
                delivery_id=delivery.pk,
                at=delivery.delivered_on or delivery.created_on,
                status_code=delivery.last_status_code,
                error=delivery.last_error,
                duration_ms=rng.randint(3, 80),
            )
            for delivery in deliveries
            if delivery.attempts
        ],
    )
    made.orders += len(documents)
    made.lines += len(all_lines)
    made.events += len(events)
    made.deliveries += len(deliveries)


def _json(payload: dict) -> dict:
    """As ``outbox.record_event`` stores it: decimals and times as the API's strings."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def _audit_trail(new_audit, order) -> list:
    steps = []
    at = order.submitted_on or order.modified_on

    def step(action, before, after, message):
        steps.append(
            new_audit(
                document_kind=order.KIND,
                document_id=order.pk,
                action=action,
                from_state=before,
                to_state=after,
                message=message,
                actor_id=order.owner_id,
                at=at,
            )
        )

    if order.submitted_on is not None:
        step("submit", "active", "submitted", "Submitted to the back office")
    if order.status_reason == "pending":
        step("reject", "submitted", "active", "Rejected by the back office: credit hold")
    if order.state in {"fulfilled", "invoiced"}:
        step("fulfill", "submitted", "fulfilled", "Fulfilled by the back office")
    if order.state == "invoiced":
        step("invoice", "fulfilled", "invoiced", "Invoiced by the back office")
    if order.state == "canceled":
        step("cancel", "active", "canceled", "Canceled")
    return steps


def _delivery(new_delivery, rng, event, endpoint, now, *, waiting: bool) -> Delivery:
    """Delivered, except some of the orders still waiting at the back office."""
    fate = "delivered"
    if waiting:
        fate = rng.choice(["delivered"] * 16 + ["queued", "failing", "failing", "dead"])
    sent = event.created_on + timedelta(seconds=rng.uniform(0.05, 2))
    delivery = new_delivery(
        event_id=event.pk,
        endpoint_id=endpoint.pk,
        ordering_key=event.ordering_key,
        status=fate,
        next_attempt_at=event.created_on,
        created_on=event.created_on,
    )
    if fate == "delivered":
        delivery.attempts, delivery.delivered_on, delivery.last_status_code = 1, sent, 204
    elif fate == "failing":
        delivery.attempts = rng.randint(1, 6)
        delivery.last_status_code, delivery.last_error = 503, "HTTP 503 Service Unavailable"
        delivery.next_attempt_at = now + timedelta(minutes=rng.randint(1, 120))
    elif fate == "dead":
        delivery.attempts = 11
        delivery.last_error = "connection refused"
    return delivery

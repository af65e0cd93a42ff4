"""A production-shaped run on PostgreSQL, every part a real process.

gunicorn with two workers (DEBUG off), two delivery workers and the back-office simulator;
four clients submit 50 orders through the REST API while one delivery worker is killed with
SIGKILL midway. Afterwards: every event reached every endpoint (a repeat only ever with the
same ``webhook-id``), the back office moved every order on, and nothing answered 5xx.
"""

import json
import re
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from orders.integration.endpoints import endpoint_create
from orders.models import Delivery, Event, Invoice, SalesOrder
from settings_app import roles
from tests.conftest import set_switch
from tests.factories import UserFactory
from tests.orders.factories import (
    AccountFactory,
    CurrencyFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)
from tests.orders.integration.processes import Process, Worker, database_url, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    # With the other tests that start processes, one at a time (each loads the machine).
    pytest.mark.xdist_group("integration"),
    pytest.mark.django_db(transaction=True),
]

ORDERS = 50
CLIENTS = 4
PRODUCTION = {"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "SOP_HTTPS": "false"}


def gunicorn(url: str, access_log) -> Process:
    return Process(
        url,
        *["sopsite.wsgi:application", "--bind", "127.0.0.1:0", "--workers", "2", "--preload"],
        *["--access-logfile", str(access_log), "--access-logformat", "%(s)s %(m)s %(U)s"],
        program=(sys.executable, "-m", "gunicorn"),
        **PRODUCTION,
    )


class Api:
    """A JSON client with a token, as a real integration would write it (stdlib only)."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token
        self.statuses: list[int] = []

    def post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                self.statuses.append(response.status)
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            self.statuses.append(error.code)
            raise AssertionError(f"POST {path}: {error.code} {error.read()[:500]!r}") from None


def submit_orders(api: Api, count: int, catalog: dict) -> list[int]:
    ids = []
    for n in range(count):
        order = api.post(
            "/api/v1/salesorders",
            {
                "name": f"Order {n}",
                "account": catalog["account"],
                "price_list": catalog["price_list"],
                "currency": catalog["currency"],
            },
        )
        product = catalog["products"][n % 2]
        api.post(f"/api/v1/salesorders/{order['id']}/lines", {"product": product, "quantity": "2"})
        api.post(f"/api/v1/salesorders/{order['id']}/submit", {})
        ids.append(order["id"])
    return ids


def wait_for(done, *, progress, processes, what: str, stall: float = 60) -> None:
    """Wait until ``done()``. A slow machine is not a failure; a stall is: fail when
    ``progress()`` has not changed for ``stall`` seconds, or when a process has died."""
    last, since = progress(), time.monotonic()
    while not done():
        for process in processes:
            assert process.process.poll() is None, process.output()
        now = progress()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > stall:
            raise AssertionError(f"{what}: no progress for {stall} s, stuck at {now}")
        time.sleep(0.2)


def back_office_progress() -> tuple[int, int, int]:
    return (
        Delivery.objects.filter(status=Delivery.Status.DELIVERED).count(),
        SalesOrder.objects.exclude(external_reference="").count(),
        Invoice.objects.filter(state="paid").count(),
    )


def test_production_shaped_run_delivers_every_event_and_moves_every_order_on(
    receiver, customizer, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("several web and delivery processes need PostgreSQL")
    url = database_url()
    currency = CurrencyFactory()
    price_list = PriceListFactory(currency=currency)
    products = [ProductFactory(), ProductFactory()]
    for product, amount in zip(products, ["100.00", "20.00"], strict=True):
        PriceListItemFactory(price_list=price_list, product=product, amount=Decimal(amount))
    catalog = {
        "currency": currency.pk,
        "price_list": price_list.pk,
        "products": [product.pk for product in products],
        "account": AccountFactory(default_price_list=price_list).pk,
    }
    salespeople = [
        UserFactory(username=f"sales{n}", role=roles.SALESPERSON) for n in range(CLIENTS)
    ]
    integration = UserFactory(
        username="integration", role=roles.BACK_OFFICE, is_integration_user=True
    )
    simulator_port = free_port()
    _, simulator_secret = endpoint_create(
        actor=customizer, url=f"http://127.0.0.1:{simulator_port}/webhooks"
    )
    _, receiver.secret = endpoint_create(actor=customizer, url=receiver.url)
    receiver.delay = 0.05  # a send takes a moment, so the kill is likely to catch one
    set_switch(customizer, True)

    access_log = tmp_path / "access.log"
    web = gunicorn(url, access_log)
    processes = [web]
    try:
        web.wait_for_output("Listening at: http://127.0.0.1:")
        base = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", web.output()).group(1)
        workers = [
            Worker(url, "--threads", "2", "--timeout", "3", "--lease", "4", **PRODUCTION)
            for _ in range(2)
        ]
        simulator = Process(
            url,
            *["backoffice_simulator", "--port", str(simulator_port), "--api", base],
            *["--token", Token.objects.create(user=integration).key],
            *["--secret", simulator_secret],
            **PRODUCTION,
        )
        processes += [*workers, simulator]
        for process in processes[1:]:
            process.wait_for_output("webhooks")  # "delivering webhooks" / "receiving webhooks"

        clients = [Api(base, Token.objects.create(user=user).key) for user in salespeople]
        shares = [ORDERS // CLIENTS + (n < ORDERS % CLIENTS) for n in range(CLIENTS)]
        with ThreadPoolExecutor(CLIENTS) as pool:
            submitted = [
                pool.submit(submit_orders, client, share, catalog)
                for client, share in zip(clients, shares, strict=True)
            ]
            wait_for(
                lambda: len(receiver.received) >= ORDERS // 3 or all(f.done() for f in submitted),
                progress=lambda: len(receiver.received),
                processes=processes,
                what="a third of the webhooks",
            )
            workers[0].kill()  # midway, likely mid-send
            processes.remove(workers[0])
            order_ids = [order_id for future in submitted for order_id in future.result()]

        wait_for(
            lambda: (
                not Delivery.objects.exclude(status=Delivery.Status.DELIVERED).exists()
                and Invoice.objects.filter(state="paid").count() == ORDERS
            ),
            progress=back_office_progress,
            processes=processes,
            what="every delivery delivered and every order invoiced and paid",
        )
    finally:
        for process in processes:
            process.stop()
    time.sleep(0.2)  # a late duplicate would have arrived by now

    # Every event reached both endpoints; a repeat only with the same webhook-id.
    events = {event.event_id: event for event in Event.objects.all()}
    assert len(events) == ORDERS + 1  # the submits and the switch
    assert len(order_ids) == ORDERS
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 2 * len(events)
    at_receiver = Counter(receiver.ids())
    at_simulator = Counter(
        re.findall(
            r"webhook (msg_[0-9a-f]+) \([\w.]+\): (?:accepted|duplicate)", simulator.output()
        )
    )
    assert set(at_receiver) == set(events)
    assert set(at_simulator) == set(events)
    # Only the killed worker's sends in flight (2 threads) can arrive twice.
    repeats = at_receiver.total() + at_simulator.total() - 2 * len(events)
    assert repeats <= 2
    for item in receiver.received:
        assert item.verified
        assert item.payload["type"] == events[item.webhook_id].type
        assert item.payload["data"] == json.loads(json.dumps(events[item.webhook_id].payload))

    # The back office moved every order on: acknowledged, invoiced once, paid.
    orders = SalesOrder.objects.filter(pk__in=order_ids)
    assert set(orders.values_list("state", flat=True)) == {"invoiced"}
    assert not orders.filter(external_reference="").exists()
    assert Invoice.objects.filter(sales_order__in=order_ids).count() == ORDERS
    assert set(Invoice.objects.values_list("state", flat=True)) == {"paid"}

    # No 5xx, for the clients or in gunicorn's access log (the simulator's calls included).
    assert {status for client in clients for status in client.statuses} <= {200, 201}
    logged = [line.split()[0] for line in access_log.read_text().splitlines()]
    assert len(logged) > ORDERS * 8
    assert not [status for status in logged if status.startswith("5")]

"""Scale: seed time, lists at 100,000 vs 1,000 orders, webhook delivery vs a plain POST loop,
and the peak memory of a web and a delivery worker — for `make bench` (docs/benchmarks.md).

Two databases of its own are built (SQLite files, or PostgreSQL databases named after the one
in ``DATABASE_URL`` with ``_bench_1k`` / ``_bench_100k``) and dropped at the end. Every
comparison is measured in this run, interleaved (1k, 100k, 1k, 100k, …), and the median of the
rounds is what the table shows.
"""

import http.client
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders import volume
from orders.integration import transport
from orders.integration.delivery import (
    DEFAULT_BATCH,
    deliver_due,
    signed_headers,
    webhook_body,
)
from orders.models import Delivery, Endpoint, Event, SalesOrder
from settings_app import roles

pytestmark = pytest.mark.benchmark

ROOT = Path(__file__).resolve().parents[2]
SMALL, BIG = int(os.environ.get("BENCH_SMALL", 1_000)), int(os.environ.get("BENCH_BIG", 100_000))
ROUNDS = 5
SEED_FLOOR_S = 180
WEBHOOKS_PER_ROUND = 300
LIST_TARGET, WORKER_TARGET = 1.5, 0.5
WEB_RSS_MB, WORKER_RSS_MB = 150, 120

LIST_CASES = [
    ("list, default order", {}),
    *(
        (f"list, sort {way or '+'}{key}", {"sort": f"{way}{key}"})
        for key in ("number", "name", "account", "state", "total", "owner", "modified")
        for way in ("", "-")
    ),
    ("list, search number", {"q": "ORD-01500"}),
    ("list, search name", {"q": "refit"}),
    ("list, search account", {"q": "Northwind Stores"}),
    ("list, filter submitted", {"state": "submitted"}),
    ("list, filter canceled", {"state": "canceled"}),
    ("list, last page", {"page": "40"}),
]


class Databases:
    """The two benchmark databases, and switching the default connection between them (for
    every thread: the settings dict is shared)."""

    def __init__(self, tmp: Path):
        self.settings = connections["default"].settings_dict
        self.original = self.settings["NAME"]
        self.kept = {}
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            base = os.environ["DATABASE_URL"].rsplit("/", 1)[1].split("?")[0]
            self.names = {SMALL: f"{base}_bench_1k", BIG: f"{base}_bench_100k"}
        else:
            self.names = {
                SMALL: str(tmp / "bench_1k.sqlite3"),
                BIG: str(tmp / "bench_100k.sqlite3"),
            }

    def url(self, size: int) -> str:
        if self.vendor == "postgresql":
            return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + self.names[size]
        return f"sqlite:///{self.names[size]}"

    def use(self, size: int | None) -> None:
        for alias in connections:
            wrapper = connections[alias]
            if (
                wrapper.connection is not None
                and wrapper.vendor == "sqlite"
                and wrapper.is_in_memory_db()
            ):
                # The test database of the session's other benchmarks lives only in this
                # connection (Django ignores closing it): put it aside until we are back.
                self.kept[alias] = wrapper.connection
                wrapper.connection = None
                continue
            wrapper.close()
        self.settings["NAME"] = self.original if size is None else self.names[size]
        if size is None:
            for alias, kept in self.kept.items():
                connections[alias].connection = kept
            self.kept.clear()

    def create(self, size: int) -> None:
        if self.vendor == "postgresql":
            self.use(None)
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.names[size]}"')
                cursor.execute(f'CREATE DATABASE "{self.names[size]}"')
        self.use(size)
        call_command("migrate", verbosity=0)

    def drop(self) -> None:
        self.use(None)
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                for name in self.names.values():
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _user(username: str, group: str | None, **extra):
    user, _ = get_user_model().objects.get_or_create(username=username, defaults=extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def _analyze() -> None:
    """The planner's statistics; on PostgreSQL also the visibility map (VACUUM), which
    autovacuum sets after bulk inserts in production and index-only scans rely on."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def _timed(client: Client, path: str, params=None, **headers) -> float:
    started = time.perf_counter()
    response = client.get(path, params or {}, **headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, params, response.status_code)
    return elapsed


class Sink(ThreadingHTTPServer):
    daemon_threads = True


def keep_alive_receiver():
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers["content-length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = Sink(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _queue_events(endpoint, count: int) -> list[Event]:
    now = timezone.now()
    events = Event.objects.bulk_create(
        Event(
            type="salesorder.submitted",
            ordering_key=f"bench:{now.timestamp()}:{n}",
            payload={"schema_version": 1, "id": n, "number": f"ORD-{n:05d}", "lines": []},
        )
        for n in range(count)
    )
    Delivery.objects.bulk_create(
        Delivery(event=e, endpoint=endpoint, ordering_key=e.ordering_key, next_attempt_at=now)
        for e in events
    )
    return list(Event.objects.filter(pk__in=[e.pk for e in events]))


def _worker_round(threads: int = 2, batch: int = DEFAULT_BATCH) -> None:
    """What ``deliver_webhooks`` runs, with its defaults, until nothing is due."""

    def loop():
        try:
            while deliver_due(limit=batch):
                pass
        finally:
            transport.close_connections()
            connection.close()

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def _plain_loop(url: str, secret: str, events: list[Event]) -> None:
    """The floor: one keep-alive connection, the same bodies, signed the same way."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=15)
    for event in events:
        body = webhook_body(event)
        headers = signed_headers(event=event, secret=secret, body=body, sent_at=timezone.now())
        conn.request("POST", "/hooks", body=body.encode(), headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 204
    conn.close()


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _environment(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=django_settings.SECRET_KEY,  # the sessions signed here are valid there
        SOP_HTTPS="false",
        SOP_WEBHOOK_ALLOW_PRIVATE="true",
        LOG_LEVEL="ERROR",
        SOP_LOG_LEVEL="ERROR",
    )
    return env


def test_scale(bench_table, tmp_path_factory, django_db_blocker, settings):
    settings.SOP_WEBHOOK_ALLOW_PRIVATE = True
    logging.getLogger("sopsite").setLevel(logging.WARNING)  # no line per request
    databases = Databases(tmp_path_factory.mktemp("bench"))
    with django_db_blocker.unblock():
        try:
            _run(bench_table, databases)
        finally:
            databases.drop()


def _run(table, databases: Databases) -> None:
    vendor = databases.vendor
    # --- seed: the 100k database, timed; the 1k one alike.
    clients = {}
    for size in (SMALL, BIG):
        databases.create(size)
        started = time.perf_counter()
        volume.seed_volume(orders=size, lines_per_order=3, accounts=500, salespeople=20)
        seconds = time.perf_counter() - started
        if size == BIG:
            table.add(
                f"seed_volume {BIG:,} orders × ~3 lines ({vendor})",
                f"{seconds:.0f} s",
                f"{SEED_FLOOR_S} s budget",
                seconds / SEED_FLOOR_S,
                "≤ 1",
                seconds <= SEED_FLOOR_S,
            )
        manager = _user("bench_manager", roles.SALES_MANAGER)
        customizer = _user("bench_customizer", roles.SYSTEM_CUSTOMIZER, is_staff=True)
        seller = get_user_model().objects.get(username="seller001")
        _analyze()
        for role, user in (
            ("manager", manager),
            ("salesperson", seller),
            ("customizer", customizer),
        ):
            client = Client()
            client.force_login(user)
            clients[(size, role)] = client

    # --- lists, home, App Settings: interleaved rounds, 1k then 100k.
    order_list = reverse("salesorder_list")
    cases = [
        (f"{what} ({role})", role, order_list, params, {})
        for what, params in LIST_CASES
        for role in ("manager", "salesperson")
    ]
    cases += [
        (f"list, htmx partial ({role})", role, order_list, {}, {"HTTP_HX_REQUEST": "true"})
        for role in ("manager", "salesperson")
    ]
    cases += [
        (f"home ({role})", role, reverse("home"), {}, {}) for role in ("manager", "salesperson")
    ]
    cases += [
        ("App Settings (customizer)", "customizer", reverse("app_settings"), {}, {}),
        (
            "App Settings → integration (customizer)",
            "customizer",
            reverse("app_settings_integration"),
            {},
            {},
        ),
    ]
    times = {(case[0], size): [] for case in cases for size in (SMALL, BIG)}
    for size in (SMALL, BIG):  # warm-up: caches, first connections
        databases.use(size)
        for _label, role, path, params, headers in cases:
            _timed(clients[(size, role)], path, params, **headers)
    for _ in range(ROUNDS):
        for size in (SMALL, BIG):
            databases.use(size)
            for label, role, path, params, headers in cases:
                times[(label, size)].append(_timed(clients[(size, role)], path, params, **headers))
    for label, *_ in cases:
        small = statistics.median(times[(label, SMALL)]) * 1000
        big = statistics.median(times[(label, BIG)]) * 1000
        table.add(
            f"{label}, 100k / 1k",
            f"{big:.1f} ms",
            f"{small:.1f} ms",
            big / small,
            f"≤ {LIST_TARGET}",
            big / small <= LIST_TARGET,
        )

    # --- webhook delivery, in the 100k database (60,000 delivered rows under the queue).
    databases.use(BIG)
    receiver = keep_alive_receiver()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
    secret = "whsec_" + "YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZA=="
    endpoint = Endpoint.objects.create(url=url, secret=secret, description="bench")
    worker_rates, loop_rates = [], []
    for _ in range(ROUNDS):
        events = _queue_events(endpoint, WEBHOOKS_PER_ROUND)
        started = time.perf_counter()
        _plain_loop(url, secret, events)
        loop_rates.append(len(events) / (time.perf_counter() - started))
        started = time.perf_counter()
        _worker_round()
        worker_rates.append(len(events) / (time.perf_counter() - started))
        databases.use(BIG)
        assert not Delivery.objects.filter(endpoint=endpoint).exclude(status="delivered").exists()
    worker, loop = statistics.median(worker_rates), statistics.median(loop_rates)
    table.add(
        f"webhook delivery, worker (2 threads, batch {DEFAULT_BATCH}) / keep-alive POST loop",
        f"{worker:.0f}/s",
        f"{loop:.0f}/s",
        worker / loop,
        f"≥ {WORKER_TARGET}",
        worker / loop >= WORKER_TARGET,
    )

    # --- memory: a gunicorn worker after 1000-line pages; the delivery worker after a backlog.
    databases.use(SMALL)
    volume.seed_volume(orders=1, lines_per_order=1000, accounts=500, salespeople=20)
    big_order = SalesOrder.objects.order_by("-pk").first()
    session = clients[(SMALL, "manager")].cookies["sessionid"].value
    web_mb = _gunicorn_peak_rss(databases.url(SMALL), big_order.get_absolute_url(), session)
    table.add(
        "gunicorn worker peak RSS after 20 pages of 1000 lines",
        f"{web_mb:.0f} MB",
        f"{WEB_RSS_MB} MB",
        web_mb / WEB_RSS_MB,
        "≤ 1",
        web_mb <= WEB_RSS_MB,
    )
    databases.use(BIG)
    Endpoint.objects.filter(pk=endpoint.pk).update(url=url)
    _queue_events(endpoint, 2000)
    worker_mb = _delivery_worker_peak_rss(databases.url(BIG), endpoint)
    receiver.shutdown()
    table.add(
        "delivery worker peak RSS (a backlog of 2,000 webhooks)",
        f"{worker_mb:.0f} MB",
        f"{WORKER_RSS_MB} MB",
        worker_mb / WORKER_RSS_MB,
        "≤ 1",
        worker_mb <= WORKER_RSS_MB,
    )


def _gunicorn_peak_rss(database_url: str, path: str, session: str) -> float:
    port = _free_port()
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "sopsite.wsgi:application", "--workers", "1", "--bind",
         f"127.0.0.1:{port}", "--log-level", "error"],
        cwd=ROOT, env=_environment(database_url),
    )  # fmt: skip
    try:
        _wait_for_port(port)
        for _ in range(20):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={session}"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310
                assert response.status == 200
                assert len(response.read()) > 100_000  # the 1000 lines, not a sign-in page
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        return max(_vm_hwm_mb(int(pid)) for pid in children)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _delivery_worker_peak_rss(database_url: str, endpoint) -> float:
    """The worker as deployed (``deliver_webhooks``, default threads and batch), from start
    until it has sent the whole backlog; its own peak (VmHWM starts afresh at exec)."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "deliver_webhooks"],
        cwd=ROOT, env=_environment(database_url), stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while Delivery.objects.filter(endpoint=endpoint).exclude(status="delivered").exists():
            assert process.poll() is None, "the worker died"
            assert time.monotonic() < deadline, "the worker did not send the backlog"
            time.sleep(0.2)
        return _vm_hwm_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")

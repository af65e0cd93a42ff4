"""A real webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures."""

import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from orders.integration.endpoints import endpoint_create
from orders.integration.outbox import record_event
from tests.orders.integration.processes import database_url, manage


@dataclass
class Received:
    webhook_id: str
    headers: dict
    body: bytes
    payload: dict | None
    verified: bool
    at: float = field(default_factory=time.monotonic)


class Receiver:
    """Records every POST. ``responses`` is a list of status codes answered in turn (then
    ``default_status``); ``delay`` stalls each answer; ``gate``, when set, holds every request
    until it is opened; ``answer_body`` is sent with every answer; ``on_request`` is called
    with each request as it arrives."""

    def __init__(self, secret: str = ""):
        self.secret = secret
        self.received: list[Received] = []
        self.responses: list[int] = []
        self.default_status = 204
        self.delay = 0.0
        self.answer_body = b""
        self.on_request = None
        self.gate: threading.Event | None = None
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks"

    def start(self, port: int = 0) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except (WebhookVerificationError, ValueError):
                    payload, verified = None, False
                with receiver.lock:
                    receiver.received.append(
                        Received(headers.get("webhook-id", ""), headers, body, payload, verified)
                    )
                    status = receiver.responses.pop(0) if receiver.responses else None
                if receiver.on_request is not None:
                    receiver.on_request(receiver.received[-1])
                if receiver.gate is not None:
                    receiver.gate.wait(30)
                if receiver.delay:
                    time.sleep(receiver.delay)
                if not verified:
                    status = 400
                try:
                    self.send_response(status or receiver.default_status)
                    self.send_header("content-length", str(len(receiver.answer_body)))
                    self.end_headers()
                    self.wfile.write(receiver.answer_body)
                except OSError:
                    pass  # the sender went away (timed out or was killed)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def ids(self) -> list[str]:
        with self.lock:
            return [item.webhook_id for item in self.received]

    def wait_for_ids(self, ids: set[str], timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not ids <= set(self.ids()):
            if time.monotonic() > deadline:
                raise AssertionError(f"received {set(self.ids())}, expected {ids}")
            time.sleep(0.05)

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"received {len(self.received)} of {count} webhooks")
            time.sleep(0.02)


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    if receiver.gate is not None:
        receiver.gate.set()
    receiver.stop()


class FakeDns:
    """Answers for made-up names (``*.test``) in turn — the last answer repeats — and counts
    the lookups; every other name goes to the real resolver. DNS is the one thing a test on
    one machine cannot make answer differently from one minute to the next."""

    def __init__(self, real):
        self.real = real
        self.answers: dict[str, list[str]] = {}
        self.lookups: Counter = Counter()

    def __call__(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.lookups[host] += 1
        answers = self.answers[host]
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port), 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def private_addresses_refused(settings):
    """Production's default: webhooks may not go to internal addresses."""
    settings.SOP_WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def worker_database(tmp_path):
    """A database both this test and worker processes can open.

    On PostgreSQL, the test database itself (the test must use ``transaction=True``). SQLite
    test databases live in this process's memory, so there it is a freshly migrated file,
    driven through ``manage.py shell``.
    """
    if connection.vendor == "postgresql":
        return database_url()
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    manage(url, "migrate", "--no-input", "-v0")
    return url


@pytest.fixture
def endpoint(receiver, customizer):
    endpoint, secret = endpoint_create(actor=customizer, url=receiver.url)
    receiver.secret = secret
    return endpoint


@pytest.fixture
def fast_timeout(settings):
    settings.SOP_WEBHOOK_TIMEOUT = 1
    return 1


def make_event(*, ordering_key: str = "", type: str = "salesorder.submitted", **data):
    with transaction.atomic():
        return record_event(
            type=type, payload={"ordering_key": ordering_key, **data}, ordering_key=ordering_key
        )


def body_of(item: Received) -> dict:
    return json.loads(item.body)

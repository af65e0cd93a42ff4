"""A real webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from orders.integration.endpoints import endpoint_create
from orders.integration.outbox import record_event


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
    until it is opened."""

    def __init__(self, secret: str = ""):
        self.secret = secret
        self.received: list[Received] = []
        self.responses: list[int] = []
        self.default_status = 204
        self.delay = 0.0
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
                if receiver.gate is not None:
                    receiver.gate.wait(30)
                if receiver.delay:
                    time.sleep(receiver.delay)
                if not verified:
                    status = 400
                try:
                    self.send_response(status or receiver.default_status)
                    self.send_header("content-length", "0")
                    self.end_headers()
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

"""One send: one deadline for all of it, the receiver's body never kept, TLS to the name."""

import importlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.apps import apps
from django.utils import timezone

from orders.integration.delivery import deliver_due, lease_duration
from orders.integration.transport import post
from orders.models import Delivery, DeliveryAttempt
from tests.orders.integration.conftest import make_event

pytestmark = pytest.mark.django_db


class RawReceiver:
    """A TCP server on 127.0.0.1 that reads the request, then sends ``answer`` — all at once,
    or one byte every ``interval`` seconds, going on with ``then`` bytes forever."""

    def __init__(self, answer: bytes, *, interval: float = 0, then: bytes = b""):
        self.answer, self.interval, self.then = answer, interval, then
        self.sent = 0
        self.closed = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/webhooks"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            try:
                if not self.interval:
                    conn.sendall(self.answer)
                    self.sent = len(self.answer)
                    self.closed.wait(30)
                    return
                data = iter(self.answer)
                while not self.closed.is_set():
                    byte = next(data, None)
                    conn.sendall(bytes([byte]) if byte is not None else self.then)
                    self.sent += 1
                    time.sleep(self.interval)
            except OSError:
                pass  # the sender hung up

    def close(self) -> None:
        self.closed.set()
        self.server.close()


@pytest.fixture
def raw_receivers():
    made = []

    def make(*args, **kwargs):
        made.append(RawReceiver(*args, **kwargs))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def send(url: str, **kwargs):
    return post(url, body=b"{}", headers={"content-type": "application/json"}, **kwargs)


def test_a_trickling_receiver_cannot_hold_a_delivery_past_its_lease(
    raw_receivers, customizer, settings
):
    settings.SOP_WEBHOOK_TIMEOUT = 1
    settings.SOP_WEBHOOK_LEASE = 5
    # One byte every 0.2 s: each read gets something long before a per-read timeout of 1 s.
    trickler = raw_receivers(b"HTTP/1.1 200 OK\r\nX-Slow: ", interval=0.2, then=b"a")
    from orders.integration.endpoints import endpoint_create

    endpoint_create(actor=customizer, url=trickler.url)
    event = make_event()
    lease_until = timezone.now() + lease_duration()

    assert deliver_due() == 1

    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.FAILING
    assert delivery.last_error == "timed out after 1 s"
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.at < lease_until  # recorded while the lease still held
    assert attempt.duration_ms < lease_duration() / timedelta(milliseconds=1)
    assert trickler.sent >= 3  # it was still trickling when the send gave up


def test_the_answer_is_its_status_line_the_body_is_never_waited_for(raw_receivers):
    # Headers at once, then a body that never ends.
    receiver = raw_receivers(
        b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n", interval=0.001, then=b"x"
    )
    outcome = send(receiver.url, timeout=5)

    assert outcome.ok
    assert outcome.status_code == 200
    assert outcome.error == ""


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"HTTP/1.1 503 Service Unavailable\r\n\r\n", "HTTP 503 Service Unavailable"),
        (b"HTTP/1.1 500 Oops: db password is hunter2\r\n\r\n", "HTTP 500 Internal Server Error"),
        (b"HTTP/1.1 599 Whatever\r\n\r\n", "HTTP 599"),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", ""),
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "the receiver's answer is not HTTP"),
        (b"HTTP/1.1 200 OK\r\n", "the receiver closed the connection without an answer"),
        (b"HTTP/1.1 200 OK\r\n" + b"X-Big: " + b"a" * 70000, "the answer's headers are too large"),
    ],
)
def test_outcomes_carry_our_short_reason_never_the_receivers_words(raw_receivers, answer, error):
    receiver = raw_receivers(answer)
    if error == "the receiver closed the connection without an answer":
        receiver.closed.set()  # it hangs up after the partial answer

    outcome = send(receiver.url, timeout=5)

    assert outcome.error == error
    assert outcome.ok is (error == "")


def test_a_refused_connection_is_said_in_two_words():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()

    outcome = send(f"http://127.0.0.1:{port}/", timeout=2)

    assert (outcome.ok, outcome.status_code, outcome.error) == (False, None, "connection refused")


def test_the_receivers_body_is_neither_stored_nor_shown(receiver, endpoint, client, admin_user):
    receiver.default_status = 500
    receiver.answer_body = b"Traceback: password=hunter2 at db.internal:5432"
    event = make_event(ordering_key="salesorder:1")

    deliver_due()

    delivery = Delivery.objects.get(event=event)
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    assert DeliveryAttempt.objects.get().error == "HTTP 500 Internal Server Error"
    client.force_login(admin_user)
    for page in [
        "/app-settings/integration/",
        f"/admin/orders/delivery/{delivery.pk}/change/",
        "/admin/orders/deliveryattempt/",
    ]:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "hunter2" not in response.content.decode(), page
    assert "HTTP 500 Internal Server Error" in client.get("/app-settings/integration/").text


def test_bodies_stored_before_are_forgotten_by_the_migration(endpoint):
    migration = importlib.import_module(
        "orders.migrations.0003_delivery_errors_without_receiver_bodies"
    )
    event = make_event()
    delivery = Delivery.objects.get(event=event)
    Delivery.objects.filter(pk=delivery.pk).update(
        last_status_code=502, last_error="HTTP 502: <html>upstream db.internal down</html>"
    )
    DeliveryAttempt.objects.create(delivery=delivery, status_code=502, error="HTTP 502: <html>")
    DeliveryAttempt.objects.create(delivery=delivery, status_code=None, error="connection refused")

    migration.forget_receiver_bodies(apps, None)

    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 502 Bad Gateway"
    assert sorted(DeliveryAttempt.objects.values_list("error", flat=True)) == [
        "HTTP 502 Bad Gateway",
        "connection refused",
    ]


# --- TLS: connected to the checked address, yet the name is what TLS checks ------------------


@pytest.fixture
def tls_receiver(tmp_path):
    """An HTTPS receiver on 127.0.0.1 with a certificate for ``erp.tls.test`` only; records the
    name the client asked for (SNI) and the Host header."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=erp.tls.test"]
        + ["-addext", "subjectAltName=DNS:erp.tls.test"],
        check=True,
        capture_output=True,
    )
    seen = {"sni": [], "host": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["content-length"]))
            seen["host"].append(self.headers["host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    yield server.server_address[1], ssl.create_default_context(cafile=cert), seen
    server.shutdown()
    server.server_close()


def test_https_goes_to_the_checked_address_with_the_name_for_sni_and_host(tls_receiver, dns):
    port, trusting, seen = tls_receiver
    dns.answers["erp.tls.test"] = ["127.0.0.1"]

    outcome = send(f"https://erp.tls.test:{port}/webhooks", timeout=5, ssl_context=trusting)

    assert (outcome.ok, outcome.status_code) == (True, 204), outcome.error
    assert seen == {"sni": ["erp.tls.test"], "host": [f"erp.tls.test:{port}"]}


def test_https_refuses_a_certificate_that_is_not_for_the_name(tls_receiver, dns):
    port, trusting, seen = tls_receiver
    dns.answers["other.tls.test"] = ["127.0.0.1"]

    outcome = send(f"https://other.tls.test:{port}/webhooks", timeout=5, ssl_context=trusting)

    assert (outcome.ok, outcome.error) == (False, "TLS certificate not valid for the host")
    assert seen["host"] == []

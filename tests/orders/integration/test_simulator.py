"""The back-office simulator's receiving side and its command's setup, over real HTTP."""

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from orders.integration.delivery import signed_headers, webhook_body
from orders.integration.endpoints import generate_secret
from orders.integration.simulator import ApiClient, ApiError, BackOffice, make_server
from orders.management.commands.backoffice_simulator import Command
from orders.models import Endpoint, Event


@pytest.fixture
def back_office():
    office = BackOffice(api=ApiClient("http://127.0.0.1:9", "token"), secret=generate_secret())
    server = make_server(office)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    office.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    yield office
    server.shutdown()
    server.server_close()


def post(url: str, body: str, headers: dict) -> int:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def signed(secret: str, type: str = "organization.sop_integration_changed", event_id="msg_1"):
    event = Event(
        event_id=event_id, type=type, payload={"enabled": False}, created_on=timezone.now()
    )
    body = webhook_body(event)
    return body, signed_headers(event=event, secret=secret, body=body, sent_at=timezone.now())


def test_valid_webhook_is_taken_once_and_duplicates_are_ignored(back_office):
    body, headers = signed(back_office.secret)

    assert post(back_office.url, body, headers) == 204
    assert post(back_office.url, body, headers) == 200  # same webhook-id: not processed again

    assert back_office.received == [json.loads(body)]
    assert back_office.seen == {"msg_1"}


def test_bad_signature_is_refused_with_400(back_office):
    body, headers = signed(generate_secret())
    assert post(back_office.url, body, headers) == 400

    body, headers = signed(back_office.secret)
    assert post(back_office.url, body.replace("false", "true"), headers) == 400
    assert post(back_office.url, body, {"content-type": "application/json"}) == 400
    assert back_office.received == []


def test_a_rotated_secret_is_picked_up_from_the_endpoint_row(back_office):
    new = generate_secret()
    back_office.refresh_secret = lambda: new
    body, headers = signed(new)

    assert post(back_office.url, body, headers) == 204
    assert back_office.secret == new


@pytest.mark.django_db
def test_configure_endpoint_registers_once_and_reuses_the_secret(admin_user):
    from django.db import transaction

    from orders.integration.outbox import record_event
    from orders.models import Delivery

    with transaction.atomic():
        earlier = record_event(type="salesorder.submitted", payload={}, ordering_key="k")
    url = "http://127.0.0.1:8765/webhooks"
    command = Command()

    secret = command.configure(url, None)
    Endpoint.objects.update(is_enabled=False)
    again = command.configure(url, None)

    endpoint = Endpoint.objects.get()
    assert secret == again == endpoint.secret
    assert endpoint.is_enabled
    assert endpoint.description == "Back-office simulator"
    assert Delivery.objects.get().event == earlier  # the history, handed over once


@pytest.mark.django_db
def test_the_simulator_acts_with_the_integration_users_token(integration_user, salesperson):
    key = Command.token_for("integration")
    assert Token.objects.get(key=key).user == integration_user
    assert Command.token_for("integration") == key
    with pytest.raises(CommandError, match="not an integration user"):
        Command.token_for("sales")
    with pytest.raises(CommandError, match="No active user"):
        Command.token_for("nobody")


@pytest.mark.django_db
def test_the_worker_command_runs_one_round(customizer, capsys):
    call_command("deliver_webhooks", "--once")
    assert "attempted 0 deliveries" in capsys.readouterr().out


def test_the_api_client_retries_a_5xx_and_not_a_4xx():
    answers = [503, 200, 404]
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_PATCH(self):
            seen.append(self.headers.get("If-Match"))
            status = answers.pop(0)
            body = b'{"ok": true}' if status == 200 else b'{"code": "x"}'
            self.send_response(status)
            self.send_header("ETag", 'W/"2"')
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    try:
        client = ApiClient(f"http://127.0.0.1:{server.server_address[1]}", "token")
        client.retry_pause = 0.01

        response = client.request("PATCH", "/x", {"a": 1}, if_match='W/"1"')
        assert (response.status, response.data, response.etag) == (200, {"ok": True}, 'W/"2"')
        assert seen == ['W/"1"', 'W/"1"']
        with pytest.raises(ApiError) as error:
            client.request("PATCH", "/x", {"a": 1})
        assert error.value.status == 404
        assert len(seen) == 3  # a 4xx is final
    finally:
        server.shutdown()
        server.server_close()

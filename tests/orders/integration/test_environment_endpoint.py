"""SOP_WEBHOOK_URL/SOP_WEBHOOK_SECRET configure the endpoint wherever the app runs — the worker,
a plain server's first request, after migrate — and ``deliver_webhooks --once`` drains all that
is due, each order's events in order."""

import base64

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.signals import request_started

from orders import apps
from orders.models import Delivery, Endpoint
from tests.orders.integration.conftest import body_of, make_event

pytestmark = pytest.mark.django_db
SECRET = "whsec_" + base64.b64encode(b"s" * 32).decode()


@pytest.fixture
def from_environment(settings, receiver):
    settings.SOP_WEBHOOK_URL = receiver.url
    settings.SOP_WEBHOOK_SECRET = SECRET
    receiver.secret = SECRET
    apps._configured.clear()
    yield receiver
    apps._configured.clear()
    request_started.disconnect(apps._on_first_request)


def test_the_worker_configures_the_endpoint_and_once_drains_every_order_in_order(
    from_environment,
):
    receiver = from_environment
    call_command("deliver_webhooks", "--once")  # the worker starts: the endpoint exists
    first = [make_event(ordering_key="salesorder:1", n=n) for n in range(3)]
    other = make_event(ordering_key="salesorder:2", n=9)

    call_command("deliver_webhooks", "--once")  # one run sends everything due

    endpoint = Endpoint.objects.get(url=receiver.url)
    assert endpoint.is_enabled and endpoint.secret == SECRET
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 4
    assert all(item.verified for item in receiver.received)
    ids = receiver.ids()
    assert [i for i in ids if i != other.event_id] == [e.event_id for e in first]
    assert [
        body_of(item)["data"]["n"] for item in receiver.received if body_of(item)["data"]["n"] < 9
    ] == [0, 1, 2]

    call_command("deliver_webhooks", "--once")  # idempotent: one endpoint, nothing re-sent
    assert Endpoint.objects.filter(url=receiver.url).count() == 1
    assert len(receiver.received) == 4


def test_a_plain_server_configures_the_endpoint_on_its_first_request(from_environment, client):
    request_started.connect(apps._on_first_request, dispatch_uid="orders-webhook-endpoint")
    assert not Endpoint.objects.exists()
    assert client.get("/healthz").status_code == 200
    assert Endpoint.objects.get().url == from_environment.url
    client.get("/healthz")
    assert Endpoint.objects.count() == 1


def test_migrate_configures_the_endpoint(from_environment):
    call_command("migrate", verbosity=0)
    assert Endpoint.objects.get().url == from_environment.url


def test_a_bad_secret_stops_the_worker_but_not_the_web(from_environment, settings, client):
    settings.SOP_WEBHOOK_SECRET = "not-a-secret"
    with pytest.raises(CommandError, match="SOP_WEBHOOK_SECRET"):
        call_command("deliver_webhooks", "--once")
    apps._configured.clear()
    request_started.connect(apps._on_first_request, dispatch_uid="orders-webhook-endpoint")
    assert client.get("/healthz").status_code == 200
    assert not Endpoint.objects.exists()


def test_the_help_says_once_drains_everything_due(capsys):
    with pytest.raises(SystemExit):
        call_command("deliver_webhooks", "--help")
    assert "everything due now, for all orders" in " ".join(capsys.readouterr().out.split())

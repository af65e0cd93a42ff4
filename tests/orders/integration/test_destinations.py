"""Webhooks cannot be aimed at internal services: refused at every door that saves an
endpoint, and again at send time against the address the name resolves to then."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from orders.integration.delivery import deliver_due
from orders.integration.endpoints import endpoint_create
from orders.models import Delivery, DeliveryAttempt, Endpoint
from tests.orders.integration.conftest import make_event

pytestmark = pytest.mark.django_db

MANAGE = "/app-settings/integration/"

# (URL, words of the refusal); all are refused while internal addresses are.
INTERNAL = [
    ("http://127.0.0.1:8765/webhooks", "loopback"),
    ("http://localhost:8765/webhooks", "localhost resolves to 127.0.0.1, a loopback"),
    ("http://[::1]/webhooks", "loopback"),
    ("http://[::ffff:127.0.0.1]/webhooks", "loopback"),
    ("http://10.1.2.3/webhooks", "private network"),
    ("http://172.16.0.1/webhooks", "private network"),
    ("http://172.31.255.254/webhooks", "private network"),
    ("http://192.168.1.10/webhooks", "private network"),
    ("http://[fc00::1]/webhooks", "private network"),
    ("http://[fd12:3456::1]/webhooks", "private network"),
    ("http://0.0.0.0/webhooks", "unspecified"),
    ("http://[::]/webhooks", "unspecified"),
    ("http://100.64.0.1/webhooks", "not a public internet address"),
]
# Refused even with SOP_WEBHOOK_ALLOW_PRIVATE=true.
LINK_LOCAL = [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.1.1/webhooks",
    "http://[fe80::1]/webhooks",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64 form of 169.254.169.254
]
PUBLIC = [
    "https://93.184.215.14/webhooks",
    "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/webhooks",
    "https://erp.example.com/webhooks",  # does not resolve here: checked again at every send
]


@pytest.mark.parametrize(("url", "words"), INTERNAL)
def test_internal_addresses_are_refused_with_a_clear_message(
    customizer, private_addresses_refused, url, words
):
    with pytest.raises(ValidationError) as refused:
        endpoint_create(actor=customizer, url=url)

    [message] = refused.value.messages
    assert message.startswith("Webhooks cannot be sent there:")
    assert words in message
    assert "SOP_WEBHOOK_ALLOW_PRIVATE=true" in message
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("url", LINK_LOCAL)
@pytest.mark.parametrize("allow_private", [False, True])
def test_link_local_addresses_and_cloud_metadata_are_refused_always(
    customizer, settings, url, allow_private
):
    settings.SOP_WEBHOOK_ALLOW_PRIVATE = allow_private

    with pytest.raises(ValidationError, match=r"link-local .* never allowed"):
        endpoint_create(actor=customizer, url=url)
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(("url", "words"), INTERNAL)
def test_internal_addresses_are_allowed_with_the_setting(customizer, settings, url, words):
    settings.SOP_WEBHOOK_ALLOW_PRIVATE = True

    endpoint, _ = endpoint_create(actor=customizer, url=url)

    assert endpoint.url == url


@pytest.mark.parametrize("url", PUBLIC)
def test_public_addresses_are_allowed(customizer, private_addresses_refused, url):
    endpoint, _ = endpoint_create(actor=customizer, url=url)
    assert endpoint.url == url


def test_a_name_is_judged_by_every_address_it_resolves_to(
    customizer, private_addresses_refused, dns
):
    dns.answers["erp.intranet.test"] = ["93.184.215.14"]
    assert endpoint_create(actor=customizer, url="https://erp.intranet.test/hooks")

    dns.answers["admin.intranet.test"] = ["10.0.0.7"]
    with pytest.raises(
        ValidationError, match=re.escape("admin.intranet.test resolves to 10.0.0.7")
    ):
        endpoint_create(actor=customizer, url="https://admin.intranet.test/hooks")
    assert Endpoint.objects.count() == 1


# --- the other doors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://10.1.2.3/webhooks", "private network"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ],
)
def test_app_settings_refuses_internal_addresses_with_the_message(
    client, customizer, private_addresses_refused, url, words
):
    client.force_login(customizer)

    response = client.post(MANAGE + "endpoints/add/", {"url": url})

    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("The endpoint was not added: Webhooks cannot be sent there:")
    assert words in message
    assert not Endpoint.objects.exists()


def admin_change(client, endpoint, url):
    return client.post(
        f"/admin/orders/endpoint/{endpoint.pk}/change/",
        {"url": url, "description": "ERP", "is_enabled": "on"},
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://192.168.1.10/webhooks", "private network"),
        ("http://[fe80::1]/webhooks", "link-local"),
        ("http://[::ffff:127.0.0.1]/webhooks", "loopback"),
    ],
)
def test_the_admin_refuses_internal_addresses_on_the_form(
    client, admin_user, customizer, private_addresses_refused, url, words
):
    endpoint, _ = endpoint_create(actor=customizer, url="https://erp.example.com/hooks")
    client.force_login(admin_user)

    response = admin_change(client, endpoint, url)

    assert response.status_code == 200  # the form again, with the error on the field
    assert "Webhooks cannot be sent there" in response.content.decode()
    assert words in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == "https://erp.example.com/hooks"


def test_the_admin_saves_a_public_address(client, admin_user, customizer):
    endpoint, _ = endpoint_create(actor=customizer, url="https://erp.example.com/hooks")
    client.force_login(admin_user)

    response = admin_change(client, endpoint, "https://93.184.215.14/hooks")

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "https://93.184.215.14/hooks"


def test_the_environment_preset_refuses_internal_addresses(settings, private_addresses_refused):
    settings.SOP_WEBHOOK_URL = "http://169.254.169.254/latest/meta-data/"
    settings.SOP_WEBHOOK_SECRET = "whsec_" + "QUJD" * 8

    with pytest.raises(CommandError, match=r"SOP_WEBHOOK_URL.*link-local"):
        call_command("runstack")  # refused before it starts anything
    assert not Endpoint.objects.exists()


def test_the_simulator_cannot_register_itself_on_loopback_without_the_setting(
    admin_user, private_addresses_refused
):
    with pytest.raises(CommandError, match=re.escape("127.0.0.1 is a loopback address")):
        call_command("backoffice_simulator", "--port", "1", "--configure-endpoint")
    assert not Endpoint.objects.exists()


# --- control characters are a form error, never a 500 ----------------------------------------

CONTROL = [
    "https://erp.example.com/hooks\x00",
    "https://erp.example.com/ho\x01oks",
    "https://erp.example.com/hooks\x7f",
    "https://erp.example.com/a b",
    "https://erp.example.com/a\tb",
    "https://erp.example.com/a\r\nX-Injected: 1",
    "https://erp.example.com:99999/hooks",
]


@pytest.mark.parametrize("url", CONTROL)
def test_control_characters_and_bad_ports_are_refused_at_the_service(customizer, url):
    with pytest.raises(ValidationError, match=r"control characters|Enter a full"):
        endpoint_create(actor=customizer, url=url)
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("url", CONTROL)
def test_control_characters_are_a_message_on_app_settings(client, customizer, url):
    client.force_login(customizer)

    response = client.post(MANAGE + "endpoints/add/", {"url": url})

    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("The endpoint was not added:")
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("url", CONTROL)
def test_control_characters_are_a_form_error_in_the_admin(client, admin_user, customizer, url):
    endpoint, _ = endpoint_create(actor=customizer, url="https://erp.example.com/hooks")
    client.force_login(admin_user)

    response = admin_change(client, endpoint, url)

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == "https://erp.example.com/hooks"


# --- at send time ------------------------------------------------------------------------------


def test_a_name_that_resolves_to_an_internal_address_at_send_time_is_not_contacted(
    receiver, customizer, settings
):
    url = f"http://localhost:{receiver.port}/webhooks"
    endpoint_create(actor=customizer, url=url)  # allowed when it was saved
    settings.SOP_WEBHOOK_ALLOW_PRIVATE = False
    event = make_event(ordering_key="salesorder:1")

    assert deliver_due() == 1

    assert receiver.received == []
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.FAILING
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith(
        "not sent: localhost resolves to 127.0.0.1, a loopback address"
    )
    assert DeliveryAttempt.objects.get(delivery=delivery).error == delivery.last_error


def test_dns_rebinding_to_an_internal_address_is_refused_at_send_time(
    receiver, customizer, private_addresses_refused, dns
):
    # Public when the endpoint is saved; this machine when the webhook is sent.
    dns.answers["erp.rebinding.test"] = ["93.184.215.14", "127.0.0.1"]
    endpoint_create(actor=customizer, url=f"http://erp.rebinding.test:{receiver.port}/webhooks")
    event = make_event(ordering_key="salesorder:1")

    deliver_due()

    assert receiver.received == []
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.FAILING
    assert "erp.rebinding.test resolves to 127.0.0.1, a loopback address" in delivery.last_error


def test_the_send_connects_to_the_very_address_it_checked(receiver, customizer, settings, dns):
    settings.SOP_WEBHOOK_TIMEOUT = 2
    # Were the name looked up again to connect, the second answer — an address where nobody
    # answers — would make the send time out.
    dns.answers["erp.pinned.test"] = ["127.0.0.1", "127.0.0.1", "10.255.255.1"]
    _, secret = endpoint_create(
        actor=customizer, url=f"http://erp.pinned.test:{receiver.port}/webhooks"
    )
    receiver.secret = secret
    event = make_event(ordering_key="salesorder:1")
    lookups_before = dns.lookups["erp.pinned.test"]

    deliver_due()

    assert dns.lookups["erp.pinned.test"] == lookups_before + 1
    assert Delivery.objects.get(event=event).status == Delivery.Status.DELIVERED
    [item] = receiver.received
    assert item.verified
    assert item.headers["host"] == f"erp.pinned.test:{receiver.port}"


def test_an_endpoint_saved_through_the_shell_is_still_checked_at_send_time(
    receiver, private_addresses_refused
):
    Endpoint.objects.create(
        url="http://169.254.169.254/latest/meta-data/", secret="whsec_" + "QUJD" * 8
    )
    Endpoint.objects.create(url=receiver.url, secret="whsec_" + "QUJD" * 8)
    make_event()

    deliver_due()

    errors = dict(Delivery.objects.values_list("endpoint__url", "last_error"))
    assert errors["http://169.254.169.254/latest/meta-data/"].startswith("not sent:")
    assert "link-local" in errors["http://169.254.169.254/latest/meta-data/"]
    assert errors[receiver.url].startswith("not sent: 127.0.0.1 is a loopback address")
    assert receiver.received == []

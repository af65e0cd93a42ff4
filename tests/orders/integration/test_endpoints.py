"""Endpoint services: who may manage them, the secret shown once, rotation, validation."""

import base64

import pytest
from django.core.exceptions import ValidationError

from orders.integration.endpoints import (
    delivery_retry_now,
    endpoint_create,
    endpoint_from_environment,
    endpoint_rotate_secret,
    endpoint_set_enabled,
)
from orders.models import Endpoint
from settings_app.errors import PermissionRefused

pytestmark = pytest.mark.django_db


def test_customizer_adds_an_endpoint_and_gets_its_secret_once(customizer):
    endpoint, secret = endpoint_create(
        actor=customizer, url=" https://erp.example.com/hooks ", description="ERP"
    )

    assert endpoint.url == "https://erp.example.com/hooks"
    assert endpoint.is_enabled
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert Endpoint.objects.get().secret == secret
    assert "whsec_" not in str(endpoint)


def test_superuser_may_manage_endpoints(admin_user):
    endpoint, _ = endpoint_create(actor=admin_user, url="http://127.0.0.1:8765/")
    assert endpoint.pk


@pytest.mark.parametrize("who", ["salesperson", "manager", "integration_user"])
def test_others_may_not_manage_endpoints(who, request, customizer):
    actor = request.getfixturevalue(who)
    endpoint, secret = endpoint_create(actor=customizer, url="https://erp.example.com/hooks")

    with pytest.raises(PermissionRefused, match="system customizer"):
        endpoint_create(actor=actor, url="https://other.example.com/")
    with pytest.raises(PermissionRefused):
        endpoint_rotate_secret(actor=actor, endpoint=endpoint)
    with pytest.raises(PermissionRefused):
        endpoint_set_enabled(actor=actor, endpoint=endpoint, enabled=False)
    with pytest.raises(PermissionRefused):
        delivery_retry_now(actor=actor)

    endpoint.refresh_from_db()
    assert Endpoint.objects.count() == 1
    assert endpoint.secret == secret
    assert endpoint.is_enabled


def test_nobody_signed_in_is_refused():
    with pytest.raises(PermissionRefused, match="Sign in"):
        endpoint_create(actor=None, url="https://erp.example.com/hooks")


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "erp.example.com/hooks",
        "ftp://erp.example.com/",
        "javascript:alert(1)",
        "https://",
        "http://exa mple.com/",
        "https://erp.example.com/" + "x" * 500,
    ],
)
def test_bad_addresses_are_refused_with_a_clear_error(customizer, url):
    with pytest.raises(ValidationError) as error:
        endpoint_create(actor=customizer, url=url)
    assert error.value.messages[0].startswith(
        ("Enter", "The address is too long", "The address may not contain")
    )
    assert not Endpoint.objects.exists()


def test_the_same_address_twice_is_refused(customizer):
    endpoint_create(actor=customizer, url="https://erp.example.com/hooks")
    with pytest.raises(ValidationError, match="already exists"):
        endpoint_create(actor=customizer, url="https://erp.example.com/hooks")
    assert Endpoint.objects.count() == 1


def test_rotate_replaces_the_secret_and_returns_the_new_one_once(customizer):
    endpoint, old = endpoint_create(actor=customizer, url="https://erp.example.com/hooks")

    new = endpoint_rotate_secret(actor=customizer, endpoint=endpoint)

    assert new != old
    assert new.startswith("whsec_")
    endpoint.refresh_from_db()
    assert endpoint.secret == new
    assert endpoint.secret_rotated_on is not None


def test_endpoint_from_the_environment_is_idempotent(settings):
    settings.SOP_WEBHOOK_URL = "https://erp.example.com/hooks"
    settings.SOP_WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()

    first = endpoint_from_environment()
    again = endpoint_from_environment()

    assert first.pk == again.pk
    assert Endpoint.objects.count() == 1
    assert again.secret == settings.SOP_WEBHOOK_SECRET

    settings.SOP_WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"z" * 32).decode()
    Endpoint.objects.update(is_enabled=False)
    updated = endpoint_from_environment()
    assert updated.secret == settings.SOP_WEBHOOK_SECRET
    assert updated.is_enabled


def test_endpoint_from_the_environment_needs_both_settings_and_a_real_secret(settings):
    settings.SOP_WEBHOOK_URL = "https://erp.example.com/hooks"
    settings.SOP_WEBHOOK_SECRET = ""
    assert endpoint_from_environment() is None

    settings.SOP_WEBHOOK_SECRET = "not-a-secret"
    with pytest.raises(ValidationError, match="whsec_"):
        endpoint_from_environment()
    assert not Endpoint.objects.exists()


def test_replay_queues_the_events_an_endpoint_has_not_had(customizer, salesperson):
    from django.db import transaction

    from orders.integration.endpoints import endpoint_replay
    from orders.integration.outbox import record_event
    from orders.models import Delivery

    with transaction.atomic():
        before = record_event(type="salesorder.submitted", payload={}, ordering_key="salesorder:1")
    endpoint, _ = endpoint_create(actor=customizer, url="https://erp.example.com/hooks")
    with transaction.atomic():
        after = record_event(type="salesorder.submitted", payload={}, ordering_key="salesorder:1")

    with pytest.raises(PermissionRefused):
        endpoint_replay(actor=salesperson, endpoint=endpoint)
    assert endpoint_replay(actor=customizer, endpoint=endpoint) == 1
    assert endpoint_replay(actor=customizer, endpoint=endpoint) == 0

    queued = Delivery.objects.filter(endpoint=endpoint).order_by("event_id")
    assert [d.event_id for d in queued] == [before.pk, after.pk]
    assert {d.ordering_key for d in queued} == {"salesorder:1"}

"""The endpoints panel on App Settings → Integration and its POST actions."""

import re

import pytest
from django.contrib.messages import get_messages

from orders.integration.endpoints import endpoint_create
from orders.models import Delivery, Endpoint
from tests.orders.integration.conftest import make_event

pytestmark = pytest.mark.django_db

MANAGE = "/app-settings/integration/"


@pytest.fixture
def as_customizer(client, customizer):
    client.force_login(customizer)
    return client


@pytest.fixture
def as_salesperson(client, salesperson):
    client.force_login(salesperson)
    return client


@pytest.fixture
def existing(customizer):
    endpoint, _ = endpoint_create(actor=customizer, url="https://erp.example.com/hooks")
    return endpoint


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_customizer_sees_endpoints_health_and_problems(as_customizer, existing):
    event = make_event(ordering_key="salesorder:9")
    Delivery.objects.filter(event=event).update(
        status=Delivery.Status.DEAD, attempts=11, last_error="HTTP 500: boom"
    )

    response = as_customizer.get(MANAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "https://erp.example.com/hooks" in html
    assert existing.secret not in html  # the secret is never shown again
    assert "Dead-lettered" in html
    assert "HTTP 500: boom" in html
    assert f"/app-settings/integration/deliveries/{Delivery.objects.get().pk}/retry/" in html
    assert "Add endpoint" in html
    assert "style=" not in html.split('class="integration-panel"')[1]


def test_salesperson_gets_403_for_the_page_and_every_action(as_salesperson, existing):
    delivery_pk = 1
    assert as_salesperson.get(MANAGE).status_code == 403
    for path in [
        "endpoints/add/",
        f"endpoints/{existing.pk}/rotate/",
        f"endpoints/{existing.pk}/enabled/",
        "deliveries/retry/",
        f"deliveries/{delivery_pk}/retry/",
    ]:
        response = as_salesperson.post(
            MANAGE + path, {"url": "https://x.example.com/", "enabled": "false"}
        )
        assert response.status_code == 403, path
    existing.refresh_from_db()
    assert existing.is_enabled
    assert Endpoint.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(client):
    response = client.post(MANAGE + "endpoints/add/", {"url": "https://x.example.com/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Endpoint.objects.exists()


def test_actions_are_post_only(as_customizer):
    assert as_customizer.get(MANAGE + "endpoints/add/").status_code == 405


def test_add_endpoint_shows_the_secret_once(as_customizer):
    response = as_customizer.post(
        MANAGE + "endpoints/add/", {"url": "https://erp.example.com/hooks", "description": "ERP"}
    )

    assert response.status_code == 302
    assert response["Location"] == MANAGE
    endpoint = Endpoint.objects.get()
    [message] = texts(response)
    assert endpoint.secret in message
    assert "not shown again" in message
    assert endpoint.secret in as_customizer.get(MANAGE).content.decode()  # the next page
    assert endpoint.secret not in as_customizer.get(MANAGE).content.decode()  # and never again


def test_bad_address_shows_a_clear_error_and_changes_nothing(as_customizer):
    response = as_customizer.post(MANAGE + "endpoints/add/", {"url": "ftp://erp.example.com/"})

    assert response.status_code == 302
    assert texts(response) == [
        "The endpoint was not added: Enter a full http:// or https:// address, "
        "e.g. https://erp.example.com/webhooks."
    ]
    assert not Endpoint.objects.exists()


def test_rotate_secret_shows_the_new_one(as_customizer, existing):
    old = existing.secret

    response = as_customizer.post(MANAGE + f"endpoints/{existing.pk}/rotate/")

    existing.refresh_from_db()
    assert existing.secret != old
    [message] = texts(response)
    assert re.search(r"whsec_\S+", message).group(0) == existing.secret


def test_pause_and_enable(as_customizer, existing):
    as_customizer.post(MANAGE + f"endpoints/{existing.pk}/enabled/", {"enabled": "false"})
    existing.refresh_from_db()
    assert not existing.is_enabled

    response = as_customizer.post(
        MANAGE + f"endpoints/{existing.pk}/enabled/", {"enabled": "maybe"}
    )
    assert texts(response)[-1] == "Choose whether the endpoint is enabled (true or false)."
    existing.refresh_from_db()
    assert not existing.is_enabled

    as_customizer.post(MANAGE + f"endpoints/{existing.pk}/enabled/", {"enabled": "true"})
    existing.refresh_from_db()
    assert existing.is_enabled


def test_unknown_endpoint_is_404(as_customizer):
    assert as_customizer.post(MANAGE + "endpoints/999/rotate/").status_code == 404


def test_retry_now_buttons(as_customizer, existing):
    event = make_event(ordering_key="salesorder:1")
    Delivery.objects.filter(event=event).update(status=Delivery.Status.DEAD, attempts=11)
    delivery = Delivery.objects.get()

    response = as_customizer.post(MANAGE + f"deliveries/{delivery.pk}/retry/")

    assert texts(response) == [f"Event {event.event_id} ({event.type}) will be sent again now."]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILING
    assert delivery.attempts == 0

    response = as_customizer.post(MANAGE + "deliveries/retry/")
    assert texts(response)[-1] == "1 delivery will be retried now."


def test_the_panel_costs_the_same_queries_for_one_or_many_problems(
    as_customizer, existing, customizer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.integration.panel import panel_context

    def queries_for_panel():
        request = as_customizer.get(MANAGE).wsgi_request
        request.user = customizer
        with CaptureQueriesContext(connection) as captured:
            panel_context(request)
        return len(captured)

    make_event(ordering_key="salesorder:1")
    Delivery.objects.update(status=Delivery.Status.DEAD)
    one = queries_for_panel()
    for n in range(2, 12):
        make_event(ordering_key=f"salesorder:{n}")
    Delivery.objects.update(status=Delivery.Status.FAILING)
    assert queries_for_panel() == one

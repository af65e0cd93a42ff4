"""/healthz and /readyz: answered for load balancers whatever the host, scheme or session."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from orders.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_probes_ignore_the_host_the_scheme_redirect_and_refuse_writes(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["sop.example.com"]
    # A load balancer asks by address over plain HTTP.
    for path in ("/healthz", "/readyz"):
        assert client.get(path, HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.7").status_code == 400
    response = client.post("/healthz")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_readyz_reports_the_database_migrations_and_no_waiting_webhook(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "migrations": "applied",
        "oldest_undelivered_webhook_age_seconds": None,
    }


def test_readyz_gives_the_age_of_the_oldest_undelivered_webhook(client):
    endpoint = Endpoint.objects.create(url="https://backoffice.example/hook", secret="whsec_x")
    now = timezone.now()
    for minutes, status in [(1, Delivery.Status.QUEUED), (10, Delivery.Status.DELIVERED)]:
        event = Event.objects.create(type="salesorder.submitted", payload={})
        delivery = Delivery.objects.create(
            event=event, endpoint=endpoint, status=status, next_attempt_at=now
        )
        Delivery.objects.filter(pk=delivery.pk).update(created_on=now - timedelta(minutes=minutes))
    age = client.get("/readyz").json()["oldest_undelivered_webhook_age_seconds"]
    assert 60 <= age < 120  # the delivered one, older, does not count


def test_readyz_is_503_while_a_migration_is_not_applied(client):
    MigrationRecorder.Migration.objects.filter(app="orders", name="0002_roles").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["migrations"] == "1 pending"


def test_readyz_is_503_when_the_database_cannot_be_reached(tmp_path):
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "sopsite.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503", result.stderr
    assert json.loads(body)["database"] == "unreachable"

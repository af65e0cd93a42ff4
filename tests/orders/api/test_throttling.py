"""API throttling: a client over its rate gets 429, Retry-After and the API's error shape."""

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory
from tests.settings_app.test_settings import run_manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(monkeypatch):
    """The test run's rates are very high (pyproject's pytest env); here they are low. DRF's
    throttles read their rates once, when imported, hence the class attribute."""
    cache.clear()
    rates = {"user": "3/minute", "anon": "2/hour"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    yield
    cache.clear()


def assert_throttled(response, *, most: int):
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= most
    assert response.json() == {
        "code": "throttled",
        "detail": f"Too many requests; try again in {wait} seconds.",
        "fields": [],
        "retry_after": wait,
    }


def test_a_token_client_over_its_rate_gets_429_with_retry_after(api, salesperson, low_rates):
    client = api(salesperson)
    assert [client.get("/api/v1/products").status_code for _ in range(3)] == [200] * 3
    assert_throttled(client.get("/api/v1/products"), most=60)
    # writes count against the same rate, and nothing is written while throttled
    response = client.post("/api/v1/accounts", {"name": "Late"}, format="json")
    assert_throttled(response, most=60)


def test_the_rate_is_per_user(api, salesperson, low_rates):
    client = api(salesperson)
    for _ in range(4):
        client.get("/api/v1/products")
    other = api(UserFactory(role="Salesperson"))
    assert other.get("/api/v1/products").status_code == 200


def test_anonymous_clients_have_their_own_lower_rate(api, low_rates):
    anonymous = api(None)
    assert [anonymous.get("/api/schema/?format=json").status_code for _ in range(2)] == [200] * 2
    assert_throttled(anonymous.get("/api/schema/?format=json"), most=3600)


def test_rates_come_from_the_environment():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; r = s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'];"
        " print(r['anon'], r['user'], s.CACHES['default']['BACKEND'])",
        env_overrides={
            "DEBUG": "true",
            "SOP_API_THROTTLE_ANON": "5/minute",
            "SOP_API_THROTTLE_USER": "7/second",
            "SOP_CACHE": "database",
        },
    )
    assert result.stdout.split() == [
        "5/minute",
        "7/second",
        "django.core.cache.backends.db.DatabaseCache",
    ], result.stderr


def test_guessing_tokens_is_throttled_at_the_anonymous_rate(api, low_rates):
    guesser = api(None)
    guesser.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert [guesser.get("/api/v1/salesorders").status_code for _ in range(2)] == [401] * 2
    assert_throttled(guesser.get("/api/v1/salesorders"), most=3600)


def test_unauthenticated_requests_count_against_the_anonymous_rate(api, low_rates):
    anonymous = api(None)
    assert [anonymous.get("/api/v1/products").status_code for _ in range(2)] == [401] * 2
    assert_throttled(anonymous.get("/api/v1/products"), most=3600)

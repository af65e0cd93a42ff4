import pytest
from django.http import HttpRequest
from django.test import Client

from orders.models import Opportunity
from tests.factories import PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/salesorders", "/api/v1/products", "/api/v1/events", "/api/v1/salesorders/1"]
)
def test_anonymous_requests_get_401_with_a_token_challenge(api, path):
    response = api(None).get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_a_wrong_token_is_401(api):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/salesorders")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.django_db
def test_a_user_without_a_role_gets_403(api):
    from tests.factories import UserFactory

    response = api(UserFactory()).get("/api/v1/salesorders")
    assert response.status_code == 403


@pytest.mark.django_db
def test_session_requests_need_the_csrf_token(salesperson, catalog):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # sets the csrftoken cookie, as the browser's first page does
    # the sign-in lockout (django-axes) needs the request that is signing in
    assert client.login(request=HttpRequest(), username="sales", password=PASSWORD)
    assert client.get("/api/v1/opportunities").status_code == 200
    body = {"name": "From the browser", "currency": catalog["currency"].pk}
    response = client.post("/api/v1/opportunities", body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]

    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/opportunities", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201
    assert Opportunity.objects.get().owner == salesperson


@pytest.mark.django_db
def test_the_api_root_lists_resources(api, salesperson):
    response = api(salesperson).get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert {"organization", "salesorders", "pricelists", "events"} <= set(body)
    assert body["organization"].endswith("/api/v1/organization")

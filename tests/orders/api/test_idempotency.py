import pytest

from orders.models import IdempotencyKey, Opportunity, Quote


def create(client, body, key="key-1"):
    return client.post("/api/v1/opportunities", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_same_key_and_body_replays_the_first_response(api, salesperson, catalog):
    client = api(salesperson)
    body = {"name": "Once", "currency": catalog["currency"].pk}
    first = create(client, body)
    assert first.status_code == 201
    second = create(client, body)
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert (second["ETag"], second["Location"]) == (first["ETag"], first["Location"])
    assert Opportunity.objects.count() == 1
    record = IdempotencyKey.objects.get()
    assert (record.user, record.method, record.path) == (
        salesperson,
        "POST",
        "/api/v1/opportunities",
    )


@pytest.mark.django_db
def test_same_key_with_another_body_is_422(api, salesperson, catalog):
    client = api(salesperson)
    create(client, {"name": "Once", "currency": catalog["currency"].pk})
    response = create(client, {"name": "Twice", "currency": catalog["currency"].pk})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Opportunity.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_user(api, salesperson, other_salesperson, catalog):
    body = {"name": "Mine", "currency": catalog["currency"].pk}
    create(api(salesperson), body)
    assert create(api(other_salesperson), body).status_code == 201
    assert Opportunity.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_is_not_stored(api, salesperson, catalog):
    client = api(salesperson)
    assert create(client, {"currency": catalog["currency"].pk}).status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert create(client, {"name": "Fixed", "currency": catalog["currency"].pk}).status_code == 201


@pytest.mark.django_db
def test_actions_replay_instead_of_running_twice(api, salesperson, make_document):
    opportunity = make_document("opportunity", salesperson, lines=1)
    client = api(salesperson)
    url = f"/api/v1/opportunities/{opportunity.pk}/create_quote"
    first = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="quote-it")
    second = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="quote-it")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert Quote.objects.count() == 1


@pytest.mark.django_db
def test_line_posts_are_idempotent(api, salesperson, make_document, catalog):
    order = make_document("salesorder", salesperson)
    client = api(salesperson)
    url = f"/api/v1/salesorders/{order.pk}/lines"
    body = {"product": catalog["products"][0].pk, "quantity": "1"}
    for _ in range(2):
        response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="line-1")
        assert response.status_code == 201
    assert order.lines.count() == 1

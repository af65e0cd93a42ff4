import pytest

from orders.models import Event
from tests.conftest import set_switch

URL = "/api/v1/events"


@pytest.mark.django_db
def test_events_feed_pages_in_commit_order(api, integration_user, customizer):
    set_switch(customizer, True)
    set_switch(customizer, False)
    set_switch(customizer, True)
    assert Event.objects.count() == 3
    client = api(integration_user)

    page = client.get(URL, {"limit": 2}).json()
    assert [e["type"] for e in page["events"]] == ["organization.sop_integration_changed"] * 2
    first = page["events"][0]
    assert set(first) == {"sequence", "id", "type", "timestamp", "data"}
    assert first["id"].startswith("msg_")
    assert page["next_cursor"] == page["events"][-1]["sequence"]

    rest = client.get(URL, {"after": page["next_cursor"]}).json()
    assert len(rest["events"]) == 1
    done = client.get(URL, {"after": rest["next_cursor"]}).json()
    assert done == {"events": [], "next_cursor": rest["next_cursor"]}


@pytest.mark.django_db
def test_submitted_order_event_carries_the_api_representation(
    api, integration_user, submitted_order
):
    events = api(integration_user).get(URL).json()["events"]
    submitted = [e for e in events if e["type"] == "salesorder.submitted"]
    assert len(submitted) == 1
    order = api(integration_user).get(f"/api/v1/salesorders/{submitted_order.pk}").json()
    assert submitted[0]["data"]["id"] == order["id"]
    assert submitted[0]["data"]["lines"] == order["lines"]


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"after": "x"}, {"limit": "0"}, {"limit": "100000"}])
def test_bad_cursor_or_limit_is_400(api, integration_user, params):
    response = api(integration_user).get(URL, params)
    assert response.status_code == 400


@pytest.mark.django_db
def test_salesperson_cannot_read_the_feed(api, salesperson):
    assert api(salesperson).get(URL).status_code == 403

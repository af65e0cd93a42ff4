import pytest

from settings_app.models import Organization, SwitchChange

URL = "/api/v1/organization"


@pytest.mark.django_db
def test_salesperson_reads_the_organization(api, salesperson):
    response = api(salesperson).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["is_sop_integration_enabled"] is False
    assert body["pricing_decimal_precision"] == 2
    assert body["discount_calculation_method"] == "line_item"


@pytest.mark.django_db
def test_anonymous_gets_401(api):
    response = api(None).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_customizer_turns_the_switch_on_and_it_is_recorded_with_door_api(api, customizer):
    response = api(customizer).patch(URL, {"is_sop_integration_enabled": True}, format="json")
    assert response.status_code == 200
    assert response.json()["is_sop_integration_enabled"] is True
    assert Organization.load().is_sop_integration_enabled is True
    change = SwitchChange.objects.get()
    assert (change.door, change.changed_by, change.new_value) == ("api", customizer, True)


@pytest.mark.django_db
def test_salesperson_cannot_move_the_switch(api, salesperson):
    response = api(salesperson).patch(URL, {"is_sop_integration_enabled": True}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Organization.load().is_sop_integration_enabled is False
    assert not SwitchChange.objects.exists()


@pytest.mark.django_db
def test_salesperson_cannot_change_settings(api, salesperson):
    response = api(salesperson).patch(URL, {"pricing_decimal_precision": 4}, format="json")
    assert response.status_code == 403
    assert Organization.load().pricing_decimal_precision == 2


@pytest.mark.django_db
def test_customizer_changes_settings(api, customizer):
    response = api(customizer).patch(
        URL, {"pricing_decimal_precision": 4, "is_price_list_mandatory": False}, format="json"
    )
    assert response.status_code == 200
    organization = Organization.load()
    assert organization.pricing_decimal_precision == 4
    assert organization.is_price_list_mandatory is False


@pytest.mark.django_db
def test_invalid_setting_is_400_and_changes_nothing(api, customizer):
    response = api(customizer).patch(
        URL,
        {"pricing_decimal_precision": 11, "is_sop_integration_enabled": True},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "pricing_decimal_precision" in body["errors"]
    assert Organization.load().is_sop_integration_enabled is False


@pytest.mark.django_db
def test_refused_switch_rolls_back_the_settings_sent_with_it(api, salesperson, customizer):
    # A customizer-only PATCH that mixes settings and the switch is all-or-nothing.
    response = api(salesperson).patch(
        URL, {"use_system_pricing": False, "is_sop_integration_enabled": True}, format="json"
    )
    assert response.status_code == 403
    assert Organization.load().use_system_pricing is True


@pytest.mark.django_db
def test_put_is_not_allowed(api, customizer):
    response = api(customizer).put(URL, {}, format="json")
    assert response.status_code == 405

import pytest
from django.urls import reverse

from orders.pricing import policy
from orders.services import perform
from settings_app.models import Organization, SwitchChange
from tests.conftest import set_switch
from tests.orders.views.helpers import build_catalog, build_document

PAGES = [
    "app_settings",
    "app_settings_organization",
    "app_settings_integration",
    "app_settings_integration_off",
]


@pytest.mark.parametrize("name", PAGES)
def test_salesperson_and_manager_get_403(client, salesperson, manager, switch_on, name):
    for user in (salesperson, manager):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403
        assert client.post(reverse(name), {"confirm": "on"}).status_code == 403
    assert Organization.load().is_sop_integration_enabled


def test_app_settings_needs_sign_in(client, db):
    response = client.get(reverse("app_settings"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_entry_shows_only_while_the_switch_is_on(client, customizer):
    client.force_login(customizer)
    html = client.get(reverse("app_settings")).content.decode()
    assert "Back Office Order Processing Integration" not in html
    assert "manage.py sop_integration on" in html
    set_switch(customizer, True)
    html = client.get(reverse("app_settings")).content.decode()
    assert 'id="sop-entry"' in html
    assert reverse("app_settings_integration") in html


def test_skip_table_is_rendered_from_the_policy_data(client, customizer):
    client.force_login(customizer)
    html = client.get(reverse("app_settings")).content.decode()
    for label, _cells in policy.rows():
        assert f'<th scope="row">{label}</th>' in html
    assert "skip if SOP ∧ (SUB ∨ IU)" in html


def test_turning_off_shows_what_is_in_flight_then_asks_for_confirmation(
    client, customizer, salesperson, switch_on
):
    order = build_document(build_catalog(), "salesorder", salesperson, lines=1)
    perform("submit", actor=salesperson, document=order)
    client.force_login(customizer)
    html = client.get(reverse("app_settings_integration")).content.decode()
    assert 'role="switch"' in html and 'aria-checked="true"' in html
    assert "1 order still submitted" in html
    html = client.get(reverse("app_settings_integration_off")).content.decode()
    assert 'id="submitted-count">1<' in html and order.number in html
    assert 'id="undelivered-count"' in html
    # without the confirmation box nothing changes
    response = client.post(reverse("app_settings_integration_off"), {})
    assert response.status_code == 200
    assert 'id="id_confirm_error"' in response.content.decode()
    assert Organization.load().is_sop_integration_enabled
    response = client.post(reverse("app_settings_integration_off"), {"confirm": "on"}, follow=True)
    html = response.content.decode()
    assert not Organization.load().is_sop_integration_enabled
    assert 'id="sop-entry"' not in html and "is off" in html
    change = SwitchChange.objects.first()
    assert (change.door, change.new_value, change.changed_by) == ("app_settings", False, customizer)
    assert "App Settings" in html  # the history names the door


def test_off_page_when_already_off_goes_back(client, customizer):
    client.force_login(customizer)
    response = client.get(reverse("app_settings_integration_off"))
    assert response.status_code == 302
    html = client.get(reverse("app_settings_integration")).content.decode()
    assert "The integration is off" in html


def test_organization_settings_form_saves_through_the_service(client, customizer):
    client.force_login(customizer)
    url = reverse("app_settings_organization")
    assert client.get(url).status_code == 200
    data = {
        "name": "Contoso Sales",
        "address": "1 Main Street\nSpringfield",
        "use_system_pricing": "on",
        "pricing_decimal_precision": "4",
        "discount_calculation_method": "per_unit",
        "is_price_list_mandatory": "on",
    }
    assert client.post(url, data).status_code == 302
    organization = Organization.load()
    assert organization.pricing_decimal_precision == 4
    assert organization.discount_calculation_method == "per_unit"
    assert not organization.is_write_in_products_allowed


def test_organization_settings_bad_input_changes_nothing(client, customizer):
    client.force_login(customizer)
    response = client.post(
        reverse("app_settings_organization"),
        {
            "name": "Contoso",
            "pricing_decimal_precision": "11",
            "discount_calculation_method": "line_item",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_pricing_decimal_precision_error"' in html
    assert (
        'aria-describedby="id_pricing_decimal_precision_help id_pricing_decimal_precision_error"'
        in html
    )
    assert Organization.load().pricing_decimal_precision == 2


def test_superuser_may_use_app_settings(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("app_settings")).status_code == 200


def test_the_manage_page_shows_a_labelled_switch_that_only_opens_the_confirmation(
    client, customizer, switch_on
):
    client.force_login(customizer)
    html = client.get(reverse("app_settings_integration")).content.decode()
    assert 'role="switch"' in html and 'aria-checked="true"' in html
    assert 'aria-labelledby="sop-switch-label"' in html
    assert ">Back Office Order Processing Integration</span>" in html
    assert f'action="{reverse("app_settings_integration_off")}"' in html
    client.get(reverse("app_settings_integration_off"))  # what the switch does: ask first
    assert Organization.load().is_sop_integration_enabled


def test_after_off_app_settings_says_how_to_turn_it_on_with_the_admin_link(
    client, customizer, switch_on
):
    client.force_login(customizer)
    client.post(reverse("app_settings_integration_off"), {"confirm": "on"})
    admin_page = reverse("admin:settings_app_organization_change", args=[1])
    html = client.get(reverse("app_settings")).content.decode()
    assert f'href="{admin_page}"' in html and "sop_integration on" in html
    html = client.get(reverse("app_settings_integration")).content.decode()
    assert 'aria-checked="false"' in html and "disabled" in html


def test_without_the_admin_the_page_does_not_link_to_it(client, switch_off):
    from settings_app import roles
    from tests.factories import UserFactory

    not_staff = UserFactory(role=roles.SYSTEM_CUSTOMIZER, is_staff=False)
    client.force_login(not_staff)
    html = client.get(reverse("app_settings")).content.decode()
    assert "/admin/" not in html.split('id="switch-doc"')[1].split("</div>")[0]
    assert "ask an administrator" in html

import re

import pytest
from django.urls import reverse

from settings_app.acting import acting_as, current_actor
from settings_app.models import Organization, SwitchChange
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_login_page_renders_with_labelled_fields(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html


@pytest.mark.django_db
def test_sign_in_then_home_greets_with_role(client, salesperson):
    response = client.post(
        reverse("login"), {"username": "sales", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome," in html
    assert "Salesperson" in html


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, salesperson):
    response = client.post(reverse("login"), {"username": "sales", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_sign_out_needs_post(client, salesperson):
    client.force_login(salesperson)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_pages_send_a_nonce_csp_that_matches_the_scripts(client, salesperson):
    client.force_login(salesperson)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_navigation_follows_permissions(client, salesperson, customizer):
    client.force_login(salesperson)
    assert "Admin</a>" not in client.get("/").content.decode()
    client.force_login(customizer)
    assert "Admin</a>" in client.get("/").content.decode()


@pytest.mark.django_db
def test_middleware_sets_the_acting_user(client, salesperson, rf):
    from settings_app.acting import ActingUserMiddleware

    seen = []
    request = rf.get("/")
    request.user = salesperson
    ActingUserMiddleware(lambda r: seen.append(current_actor()) or "ok")(request)
    assert seen == [salesperson]
    assert current_actor() is None
    with acting_as(salesperson):
        assert current_actor() == salesperson
    assert current_actor() is None


@pytest.mark.django_db
def test_admin_organization_page_moves_the_switch_for_a_customizer(client, customizer):
    client.force_login(customizer)
    url = reverse("admin:settings_app_organization_change", args=[1])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "name": "sopsite",
        "is_sop_integration_enabled": "on",
        "use_system_pricing": "on",
        "pricing_decimal_precision": "2",
        "discount_calculation_method": "line_item",
        "is_price_list_mandatory": "on",
        "is_write_in_products_allowed": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert Organization.load().is_sop_integration_enabled
    change = SwitchChange.objects.get()
    assert (change.door, change.changed_by) == ("admin", customizer)


@pytest.mark.django_db
def test_admin_switch_is_read_only_for_staff_without_the_permission(client, customizer):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    staff = UserFactory(username="staffer", is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="change_organization"),
        Permission.objects.get(codename="view_organization"),
    )
    client.force_login(staff)
    url = reverse("admin:settings_app_organization_change", args=[1])
    response = client.post(
        url,
        {
            "name": "sopsite",
            "is_sop_integration_enabled": "on",
            "use_system_pricing": "on",
            "pricing_decimal_precision": "3",
            "discount_calculation_method": "line_item",
        },
    )
    assert response.status_code == 302
    organization = Organization.load()
    assert organization.is_sop_integration_enabled is False
    assert organization.pricing_decimal_precision == 3
    assert not SwitchChange.objects.exists()


@pytest.mark.django_db
def test_admin_user_page_shows_integration_user_mode(client, admin_user, integration_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:settings_app_user_change", args=[integration_user.pk]))
    assert "Integration user mode" in response.content.decode()

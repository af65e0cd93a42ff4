"""The user admin cannot be used to raise rights: escalation attempts at the admin, the narrow
form and the service (the shell's door)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from settings_app import roles
from settings_app.accounts import user_set_integration_mode
from settings_app.admin import IntegrationModeForm
from settings_app.errors import PermissionRefused
from settings_app.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def change_url(user) -> str:
    return reverse("admin:settings_app_user_change", args=[user.pk])


def password_url(user) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def full_user_form(user, **overrides) -> dict:
    """Everything the stock user form would post, with the rights a customizer might wish for."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "is_integration_user": "",
        "groups": [g.pk for g in Group.objects.all()],
        "user_permissions": [p.pk for p in Permission.objects.all()[:5]],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    data.update(overrides)
    return data


def test_customizer_ticking_is_superuser_on_own_account_changes_nothing(client, customizer):
    client.force_login(customizer)
    groups_before = set(customizer.groups.values_list("name", flat=True))
    response = client.post(change_url(customizer), full_user_form(customizer))
    assert response.status_code == 403  # own account: view only
    customizer.refresh_from_db()
    assert not customizer.is_superuser
    assert set(customizer.groups.values_list("name", flat=True)) == groups_before
    assert customizer.user_permissions.count() == 0


def test_customizer_posting_rights_for_another_user_only_switches_integration_mode(
    client, customizer, salesperson
):
    client.force_login(customizer)
    response = client.post(
        change_url(salesperson), full_user_form(salesperson, is_integration_user="on")
    )
    assert response.status_code == 302
    salesperson.refresh_from_db()
    assert salesperson.is_integration_user
    assert not salesperson.is_superuser and not salesperson.is_staff
    assert list(salesperson.groups.values_list("name", flat=True)) == [roles.SALESPERSON]
    assert salesperson.user_permissions.count() == 0


def test_customizer_cannot_set_the_admins_password(client, customizer, admin_user):
    client.force_login(customizer)
    data = {"password1": "Taken-over-42!", "password2": "Taken-over-42!"}
    data["usable_password"] = "true"
    assert client.get(password_url(admin_user)).status_code == 403
    assert client.post(password_url(admin_user), data).status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)
    assert not admin_user.check_password("Taken-over-42!")


def test_customizer_cannot_set_another_users_password(client, customizer, salesperson):
    client.force_login(customizer)
    data = {"password1": "Taken-over-42!", "password2": "Taken-over-42!", "usable_password": "true"}
    assert client.post(password_url(salesperson), data).status_code == 403
    salesperson.refresh_from_db()
    assert salesperson.check_password(PASSWORD)


def test_own_password_goes_to_the_page_that_asks_for_the_current_one(client, customizer):
    client.force_login(customizer)
    response = client.get(password_url(customizer))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:password_change")


def test_superusers_are_neither_listed_nor_reachable_below_superuser(
    client, customizer, admin_user, salesperson
):
    client.force_login(customizer)
    listing = client.get(reverse("admin:settings_app_user_changelist")).content.decode()
    assert change_url(salesperson) in listing
    assert change_url(admin_user) not in listing
    filtered = client.get(reverse("admin:settings_app_user_changelist"), {"is_superuser__exact": 1})
    assert change_url(admin_user) not in filtered.content.decode()
    for url in [
        change_url(admin_user),
        reverse("admin:settings_app_user_history", args=[admin_user.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302  # the admin's "doesn't exist" answer
        assert response["Location"] == reverse("admin:index")
    delete = client.get(reverse("admin:settings_app_user_delete", args=[admin_user.pk]))
    assert delete.status_code == 403  # no delete_user, whoever the account


def test_customizer_sees_the_narrow_form_only(client, customizer, salesperson):
    client.force_login(customizer)
    html = client.get(change_url(salesperson)).content.decode()
    assert 'name="is_integration_user"' in html
    for field in ["is_superuser", "is_staff", "groups", "user_permissions", "username"]:
        assert f'name="{field}"' not in html
    assert "/password/" not in html


def test_superuser_keeps_the_full_form_and_can_grant_rights(client, admin_user, salesperson):
    client.force_login(admin_user)
    html = client.get(change_url(salesperson)).content.decode()
    for field in ["is_superuser", "is_staff", "groups", "user_permissions"]:
        assert f'name="{field}"' in html
    response = client.post(change_url(salesperson), full_user_form(salesperson))
    assert response.status_code == 302
    salesperson.refresh_from_db()
    assert salesperson.is_superuser and salesperson.is_staff
    data = {"password1": "A-new-one-42!", "password2": "A-new-one-42!", "usable_password": "true"}
    assert client.post(password_url(salesperson), data).status_code == 302
    salesperson.refresh_from_db()
    assert salesperson.check_password("A-new-one-42!")


def test_a_user_who_may_add_users_cannot_add_rights(client, customizer):
    customizer.user_permissions.add(Permission.objects.get(codename="add_user"))
    client.force_login(customizer)
    url = reverse("admin:settings_app_user_add")
    html = client.get(url).content.decode()
    assert 'name="is_superuser"' not in html and 'name="groups"' not in html
    data = {
        "username": "newcomer",
        "usable_password": "true",
        "password1": "Brand-new-42!",
        "password2": "Brand-new-42!",
        "is_integration_user": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [Group.objects.get(name=roles.SYSTEM_CUSTOMIZER).pk],
    }
    assert client.post(url, data).status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.is_integration_user
    assert not newcomer.is_superuser and not newcomer.is_staff
    assert newcomer.groups.count() == 0


def test_roles_are_changed_by_superusers_only(client, customizer):
    group = Group.objects.get(name=roles.SYSTEM_CUSTOMIZER)
    # even a customizer given the group permissions cannot widen their own role
    customizer.user_permissions.add(*Permission.objects.filter(codename__endswith="_group"))
    client.force_login(customizer)
    url = reverse("admin:auth_group_change", args=[group.pk])
    everything = list(Permission.objects.values_list("pk", flat=True))
    response = client.post(url, {"name": group.name, "permissions": everything})
    assert response.status_code == 403
    assert group.permissions.count() < len(everything)
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    assert client.get(url).status_code == 200  # may look


# --- the service and the form: the doors a command or the shell would use -----------------


def test_service_lets_a_customizer_switch_integration_mode_on_another_user(customizer, salesperson):
    user_set_integration_mode(actor=customizer, user=salesperson, enabled=True)
    salesperson.refresh_from_db()
    assert salesperson.is_integration_user


@pytest.mark.parametrize(
    "actor_name, target_name, message",
    [
        ("customizer", "admin_user", "system administrator"),
        ("customizer", "customizer", "your own account"),
        ("manager", "salesperson", "does not allow"),
        ("integration_user", "salesperson", "does not allow"),
    ],
)
def test_service_refuses_what_the_actor_may_not_do(request, actor_name, target_name, message):
    actor = request.getfixturevalue(actor_name)
    target = request.getfixturevalue(target_name)
    before = target.is_integration_user
    with pytest.raises(PermissionRefused, match=message):
        user_set_integration_mode(actor=actor, user=target, enabled=not before)
    target.refresh_from_db()
    assert target.is_integration_user == before


def test_narrow_form_cleans_away_every_rights_field(salesperson):
    form = IntegrationModeForm(
        data={"is_integration_user": "on", "is_superuser": "on", "is_staff": "on"},
        instance=salesperson,
    )
    assert form.is_valid()
    assert set(form.cleaned_data) == {"is_integration_user"}
    user = form.save()
    user.refresh_from_db()
    assert user.is_integration_user and not user.is_superuser and not user.is_staff

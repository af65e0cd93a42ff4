import pytest
from django.contrib.auth.models import Group

from settings_app import roles


@pytest.mark.django_db
def test_migration_creates_every_role_group():
    names = set(Group.objects.values_list("name", flat=True))
    assert {roles.SALESPERSON, roles.SALES_MANAGER, roles.SYSTEM_CUSTOMIZER} <= names


@pytest.mark.django_db
def test_only_the_customizer_role_may_move_the_switch(
    salesperson, manager, customizer, integration_user
):
    assert customizer.has_perm("settings_app.change_sop_integration")
    for user in (salesperson, manager, integration_user):
        assert not user.has_perm("settings_app.change_sop_integration")


@pytest.mark.django_db
def test_role_names_greet_the_user(salesperson, manager, customizer, integration_user, admin_user):
    assert salesperson.role_name == "Salesperson"
    assert manager.role_name == "Sales Manager"
    assert customizer.role_name == "System Customizer"
    assert integration_user.role_name == "Integration user"
    assert admin_user.role_name == "System administrator"


@pytest.mark.django_db
def test_sync_roles_is_idempotent():
    from django.apps import apps

    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    roles.sync_roles(apps)
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after

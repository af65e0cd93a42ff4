import pytest
from django.core.exceptions import ValidationError

from settings_app.acting import acting_as
from settings_app.errors import NoActor, PermissionRefused
from settings_app.models import Organization, SwitchChange, SwitchDoor
from settings_app.services import organization_set_sop_integration, organization_update_settings


@pytest.mark.django_db
def test_migration_creates_the_singleton_with_spec_defaults():
    organization = Organization.objects.get()
    assert organization.pk == Organization.SINGLETON_PK
    assert organization.is_sop_integration_enabled is False
    assert organization.use_system_pricing is True
    assert organization.pricing_decimal_precision == 2
    assert organization.discount_calculation_method == "line_item"
    assert organization.is_price_list_mandatory is True
    assert organization.is_write_in_products_allowed is True


@pytest.mark.django_db
def test_singleton_cannot_be_duplicated_or_deleted():
    Organization(name="second").save()
    assert Organization.objects.count() == 1
    assert Organization.objects.get().name == "second"
    with pytest.raises(PermissionError):
        Organization.load().delete()


@pytest.mark.django_db
def test_customizer_moves_switch_and_every_move_is_recorded(customizer):
    change = organization_set_sop_integration(actor=customizer, enabled=True, door=SwitchDoor.API)
    assert Organization.load().is_sop_integration_enabled is True
    assert (change.changed_by, change.door, change.old_value, change.new_value) == (
        customizer,
        "api",
        False,
        True,
    )
    organization_set_sop_integration(actor=customizer, enabled=False, door=SwitchDoor.COMMAND)
    moves = list(SwitchChange.objects.values_list("door", "old_value", "new_value"))
    assert moves == [("command", True, False), ("api", False, True)]


@pytest.mark.django_db
def test_setting_the_switch_to_its_current_value_records_nothing(customizer):
    assert (
        organization_set_sop_integration(actor=customizer, enabled=False, door=SwitchDoor.ADMIN)
        is None
    )
    assert not SwitchChange.objects.exists()


@pytest.mark.django_db
def test_superuser_may_move_the_switch(admin_user):
    organization_set_sop_integration(actor=admin_user, enabled=True, door=SwitchDoor.COMMAND)
    assert Organization.load().is_sop_integration_enabled


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["salesperson", "manager", "integration_user"])
def test_other_roles_are_refused_and_nothing_changes(request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionRefused, match="system customizer"):
        organization_set_sop_integration(actor=actor, enabled=True, door=SwitchDoor.API)
    assert Organization.load().is_sop_integration_enabled is False
    assert not SwitchChange.objects.exists()


@pytest.mark.django_db
def test_no_actor_is_refused():
    with pytest.raises(NoActor):
        organization_set_sop_integration(actor=None, enabled=True, door=SwitchDoor.API)


@pytest.mark.django_db
def test_plain_save_from_the_shell_cannot_move_the_switch(customizer):
    organization = Organization.load()
    organization.is_sop_integration_enabled = True
    with pytest.raises(PermissionRefused, match="guarded doors"):
        organization.save()
    assert Organization.load().is_sop_integration_enabled is False


@pytest.mark.django_db
def test_other_settings_are_validated_and_guarded(customizer, salesperson):
    with acting_as(customizer):
        organization_update_settings(actor=customizer, pricing_decimal_precision=4)
    assert Organization.load().pricing_decimal_precision == 4
    with pytest.raises(ValidationError):
        organization_update_settings(actor=customizer, pricing_decimal_precision=11)
    with pytest.raises(ValidationError):
        organization_update_settings(actor=customizer, discount_calculation_method="bogus")
    assert Organization.load().pricing_decimal_precision == 4
    with pytest.raises(PermissionRefused):
        organization_update_settings(actor=salesperson, pricing_decimal_precision=3)

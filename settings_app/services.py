"""Writes to the organization: the integration switch and the other settings."""

from django.db import transaction

from settings_app.errors import NoActor, PermissionRefused
from settings_app.models import Organization, SwitchChange, switch_move_allowed
from settings_app.signals import sop_integration_changed

ORGANIZATION_SETTINGS = [
    "name",
    "address",
    "phone",
    "email",
    "use_system_pricing",
    "pricing_decimal_precision",
    "discount_calculation_method",
    "is_price_list_mandatory",
    "is_write_in_products_allowed",
]


def can_move_switch(user) -> bool:
    """Only system customizers and superusers may move the integration switch."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("settings_app.change_sop_integration")
    )


def organization_set_sop_integration(*, actor, enabled: bool, door: str) -> SwitchChange | None:
    """Turn the integration on or off; records the move. Returns None when nothing changed."""
    if actor is None or not actor.is_authenticated:
        raise NoActor("Sign in to change the back-office integration.")
    if not can_move_switch(actor):
        raise PermissionRefused(
            "Only a system customizer can turn the back-office integration on or off."
        )
    with transaction.atomic():
        Organization.load()
        organization = Organization.objects.select_for_update().get(pk=Organization.SINGLETON_PK)
        old = organization.is_sop_integration_enabled
        if old == bool(enabled):
            return None
        organization.is_sop_integration_enabled = bool(enabled)
        with switch_move_allowed():
            organization.save(update_fields=["is_sop_integration_enabled", "modified_on"])
        change = SwitchChange.objects.create(
            changed_by=actor, door=door, old_value=old, new_value=bool(enabled)
        )
        sop_integration_changed.send(sender=Organization, change=change, actor=actor)
    return change


def organization_update_settings(*, actor, **values) -> Organization:
    """Change the organization's other settings (not the switch). Values are validated."""
    if actor is None or not actor.is_authenticated:
        raise NoActor("Sign in to change the organization's settings.")
    if not actor.has_perm("settings_app.change_organization"):
        raise PermissionRefused("Only a system customizer can change the organization's settings.")
    unknown = set(values) - set(ORGANIZATION_SETTINGS)
    if unknown:
        raise ValueError(f"Not an organization setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        Organization.load()
        organization = Organization.objects.select_for_update().get(pk=Organization.SINGLETON_PK)
        for name, value in values.items():
            setattr(organization, name, value)
        organization.full_clean()
        organization.save()
    return organization

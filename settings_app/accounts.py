"""Who may change whose account: the rule that keeps a role from raising its own rights.

A user's rights are ``is_superuser``, ``is_staff``, the groups (roles), the user permissions
and the password (whoever sets it owns the account). Only superusers change those, on anyone.
Below superuser, the one account change there is — for a holder of ``change_user``, the System
Customizer — is switching *Integration user mode* on another account that is not a superuser,
through ``user_set_integration_mode``. Nobody below superuser sees a superuser's account or
changes their own account's rights. Roles (groups) and API tokens are superusers' business too:
editing a role's permissions or reading another user's token is raising rights by the back door.

The admin asks these functions; a command or the shell goes through the service.
"""

from django.db import transaction

from settings_app.errors import NoActor, PermissionRefused

# What only a superuser may change on an account.
RIGHTS_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions", "password")

CHANGE_USER = "settings_app.change_user"


def _active(actor) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def can_change_rights(actor) -> bool:
    """May the actor change the rights fields (and passwords) of accounts? Superusers only."""
    return _active(actor) and actor.is_superuser


def can_see_user(actor, user) -> bool:
    """A superuser's account is not shown to anyone below superuser."""
    return can_change_rights(actor) or not user.is_superuser


def visible_users(actor, users):
    """The accounts of ``users`` (a queryset) the actor may see."""
    return users if can_change_rights(actor) else users.filter(is_superuser=False)


def can_manage_user(actor, user) -> bool:
    """May the actor change ``user``'s account at all (a non-superuser: Integration user mode)?"""
    if can_change_rights(actor):
        return True
    return (
        _active(actor)
        and actor.has_perm(CHANGE_USER)
        and not user.is_superuser
        and user.pk != actor.pk
    )


def can_manage_roles(actor) -> bool:
    """Roles (groups) and their permissions, and other users' API tokens: superusers only."""
    return can_change_rights(actor)


def user_set_integration_mode(*, actor, user, enabled: bool):
    """Switch Integration user mode on ``user``'s account; the only change below superuser."""
    if actor is None or not actor.is_authenticated:
        raise NoActor("Sign in to change a user's account.")
    if not can_manage_user(actor, user):
        if user.pk == actor.pk:
            raise PermissionRefused("You cannot change your own account's rights.")
        raise PermissionRefused(
            "Only a system administrator can change this account."
            if user.is_superuser or actor.has_perm(CHANGE_USER)
            else "Your role does not allow changing user accounts."
        )
    with transaction.atomic():
        user.is_integration_user = bool(enabled)
        user.save(update_fields=["is_integration_user"])
    return user

"""Choosing who acts for a management command."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def command_actor(username: str | None):
    """The user named by --user (or $SOP_ACTOR); by default the first active superuser.

    Running manage.py needs shell access to the server, which makes the operator a system
    administrator; naming a user lets an operator act with that user's rights instead.
    """
    User = get_user_model()
    username = username or os.environ.get("SOP_ACTOR")
    if username:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user named {username!r}.") from None
    actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if actor is None:
        raise CommandError("No superuser exists; pass --user with a system customizer's name.")
    return actor

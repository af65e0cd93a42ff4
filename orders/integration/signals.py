"""Receivers that turn domain signals into outbox events."""

from django.dispatch import receiver

from orders.integration.outbox import ORGANIZATION_SOP_INTEGRATION_CHANGED, record_event
from settings_app.signals import sop_integration_changed


@receiver(sop_integration_changed, dispatch_uid="orders.integration.switch_event")
def switch_moved(sender, *, change, actor, **kwargs):
    # Sent inside the switch's transaction: the event commits (or rolls back) with the move.
    record_event(
        type=ORGANIZATION_SOP_INTEGRATION_CHANGED,
        payload={
            "enabled": change.new_value,
            "old_value": change.old_value,
            "changed_by": actor.get_username() if actor is not None else None,
            "door": change.door,
            "changed_on": change.changed_on,
        },
        ordering_key="organization",
        actor=actor,
    )

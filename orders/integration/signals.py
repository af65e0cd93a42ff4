"""Receivers that turn domain signals into outbox events."""

from django.dispatch import receiver

from orders.integration import payloads
from orders.integration.outbox import record_event
from settings_app.signals import sop_integration_changed


@receiver(sop_integration_changed, dispatch_uid="orders.integration.switch_event")
def switch_moved(sender, *, change, actor, **kwargs):
    # Sent inside the switch's transaction: the event commits (or rolls back) with the move.
    record_event(
        type=payloads.ORGANIZATION_SOP_INTEGRATION_CHANGED,
        payload=payloads.organization_sop_integration_changed(change, actor),
        ordering_key="organization",
        actor=actor,
    )

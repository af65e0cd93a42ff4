from django.dispatch import Signal

# Sent inside the switch's transaction with ``change`` (a SwitchChange) and ``actor``; the
# integration writes its outbox event from it, so the event commits with the move.
sop_integration_changed = Signal()

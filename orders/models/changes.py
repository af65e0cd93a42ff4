"""Change requests: sales staff ask the back office to change a submitted order
(docs/rules.md#change-requests)."""

from django.conf import settings
from django.db import models

NOTE_MAX_LENGTH = 2000


class ChangeRequest(models.Model):
    """One request to change a submitted order, and the back office's answer.

    Open until the back office answers: it declines the request with a reason, or it rejects
    the order (back to Active · Pending), which answers the request as *returned*. An order that
    leaves Submitted any other way — fulfilled, invoiced or canceled — answers its open request
    by that move. An order has at most one open request at a time.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DECLINED = "declined", "Declined"
        RETURNED = "returned", "Answered: order returned"
        FULFILLED = "fulfilled", "Answered: order fulfilled"
        INVOICED = "invoiced", "Answered: order invoiced"
        CANCELED = "canceled", "Answered: order canceled"

    order = models.ForeignKey(
        "orders.SalesOrder", on_delete=models.CASCADE, related_name="change_requests"
    )
    note = models.TextField(max_length=NOTE_MAX_LENGTH)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_on = models.DateTimeField(auto_now_add=True, db_index=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    decline_reason = models.TextField(blank=True)
    answered_on = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(state="open"),
                name="one_open_change_request_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"Change request {self.pk} on order {self.order_id}: {self.state}"

"""The back-office integration's tables: webhook endpoints, the outbox and its deliveries."""

import uuid

from django.conf import settings
from django.db import models


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class Endpoint(models.Model):
    """A receiver of webhooks. The secret (``whsec_…``) is shown once when generated."""

    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200)
    description = models.CharField(max_length=200, blank=True)
    is_enabled = models.BooleanField(default=True)
    created_on = models.DateTimeField(auto_now_add=True)
    secret_rotated_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """An outbox row, written in the same transaction as the change it announces.

    ``sequence`` gives commit order for the events feed; ``ordering_key`` groups the events that
    must be delivered in order (one order's events).
    """

    sequence = models.BigAutoField(primary_key=True)
    event_id = models.CharField(max_length=40, unique=True, default=new_event_id, editable=False)
    type = models.CharField(max_length=60, db_index=True)
    ordering_key = models.CharField(max_length=60, blank=True, db_index=True)
    payload = models.JSONField(default=dict)
    created_on = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Delivery(models.Model):
    """The delivery of one event to one endpoint, with its retry schedule."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DELIVERED = "delivered", "Delivered"
        FAILING = "failing", "Failing"
        DEAD = "dead", "Dead-lettered"

    # Every index here is written by each delivery's outcome, so there are no more than the
    # reads need: the event's is the unique constraint's first column; the status is read only
    # for undelivered rows (the partial indexes below); the due time only with them.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    # Not indexed alone either: a plan could prefer such an index over ``delivery_undelivered``
    # for the ordering check and read all of an endpoint's rows per candidate. Deleting an
    # endpoint (rare) reads the table instead.
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    ordering_key = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_on = models.DateTimeField(null=True, blank=True)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_id", "endpoint_id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="delivery_once_per_endpoint")
        ]
        # Partial: the rows still to deliver are few, the delivered ones many and never read by
        # the worker. The first serves the claim (due rows, oldest event first), the second the
        # "held back by an earlier event" check and the counts on App Settings.
        indexes = [
            models.Index(
                fields=["event", "endpoint"],
                name="delivery_due",
                condition=models.Q(status__in=["queued", "failing"]),
            ),
            models.Index(
                fields=["endpoint", "ordering_key", "event"],
                name="delivery_undelivered",
                condition=~models.Q(status="delivered"),
            ),
            # The stuck ones (home's "delivery failing" card, App Settings), index-only.
            models.Index(
                fields=["ordering_key"],
                name="delivery_stuck",
                condition=models.Q(status__in=["failing", "dead"]),
            ),
            # An order's timeline reads its deliveries by ordering key, whatever their status.
            models.Index(fields=["ordering_key"], name="delivery_ordering_key"),
            models.Index(fields=["delivered_on"], name="delivery_delivered_on"),
            models.Index(fields=["created_on"], name="delivery_created_on"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}: {self.status}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at}: {self.status_code or self.error}"


class IdempotencyKey(models.Model):
    """The first response to a POST with an ``Idempotency-Key``, replayed for the same key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True, blank=True)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return self.key

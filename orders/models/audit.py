"""The trace of every transition and pricing decision, read by the record timeline."""

from django.conf import settings
from django.db import models


class NumberSequence(models.Model):
    """The next number of each document kind, taken under a row lock."""

    prefix = models.CharField(max_length=10, primary_key=True)
    next_value = models.PositiveIntegerField(default=1001)

    def __str__(self) -> str:
        return f"{self.prefix}-{self.next_value:05d}"


class AuditEntry(models.Model):
    """One thing that happened to a document: a transition, a refusal worth keeping, a re-price."""

    document_kind = models.CharField(max_length=20)
    document_id = models.BigIntegerField()
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["document_kind", "document_id", "-at"]),
            # The charts' "what happened since": submits and fulfilments of recent weeks.
            models.Index(fields=["document_kind", "action", "at"], name="audit_action_at"),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.document_kind} {self.document_id}: {self.action}"

"""The trace of every transition and pricing decision, read by the record timeline."""

from uuid import uuid4

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction


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


class ChartStamp(models.Model):
    """What the charts' cache is keyed by: a token per topic, replaced after every committed
    change of the rows that topic's charts read (orders.reports.charts; docs/decisions.md).

    A token, not a counter: a flushed or rebuilt database never repeats an old key.
    """

    ORDERS = "orders"  # sales orders and their audit entries
    DELIVERIES = "deliveries"

    topic = models.CharField(max_length=20, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.topic}: {self.token}"

    @classmethod
    def renew(cls, topic: str, using: str = DEFAULT_DB_ALIAS) -> None:
        """Give ``topic`` a new token now (one UPDATE; an INSERT the first time)."""
        token = uuid4().hex
        if not cls.objects.using(using).filter(pk=topic).update(token=token):
            cls.objects.using(using).get_or_create(pk=topic, defaults={"token": token})

    @classmethod
    def tokens(cls, *topics: str, using: str = DEFAULT_DB_ALIAS) -> tuple[str, ...]:
        """The current token of each topic (one query; a topic never seen gets one)."""
        found = dict(cls.objects.using(using).filter(pk__in=topics).values_list("pk", "token"))
        for topic in topics:
            if topic not in found:
                cls.renew(topic, using)
                found[topic] = cls.objects.using(using).get(pk=topic).token
        return tuple(found[topic] for topic in topics)


def charts_changed(topic: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Note that rows behind ``topic``'s charts changed: the token is renewed once, after the
    surrounding transaction commits (at once outside one). Renewing after the commit holds no
    lock across the writer's transaction; readers take the token before the figures, so a
    reader never keeps old figures under the new token."""
    connection = connections[using]
    if not connection.in_atomic_block:
        ChartStamp.renew(topic, using)
        return
    mark = ("sop-chart-stamp", topic)
    if any(getattr(entry[1], "sop_mark", None) == mark for entry in connection.run_on_commit):
        return  # already renewed when this transaction commits

    def renew():
        ChartStamp.renew(topic, using)

    renew.sop_mark = mark
    transaction.on_commit(renew, using=using)

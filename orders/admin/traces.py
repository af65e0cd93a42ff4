"""Traces in the admin, read-only: audit entries, number sequences, the charts' tokens, and
the integration's endpoints, events, deliveries and idempotency keys."""

from django import forms
from django.contrib import admin

from orders import models
from orders.admin.base import DomainErrorsMixin, ReadOnlyAdmin
from orders.integration.endpoints import validate_url


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "document_kind",
        "document_id",
        "action",
        "from_state",
        "to_state",
        "actor",
    ]
    list_filter = ["document_kind", "action"]
    list_select_related = ["actor"]
    search_fields = ["message", "action"]


@admin.register(models.NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "next_value"]


@admin.register(models.ChartStamp)
class ChartStampAdmin(ReadOnlyAdmin):
    """The charts' cache keys (orders.reports.charts): renewed by the domain, never by hand."""

    list_display = ["topic", "token"]


class EndpointForm(forms.ModelForm):
    def clean_url(self):
        # The same rule as App Settings: a full http(s) address, never an internal one.
        return validate_url(self.cleaned_data.get("url", ""))


@admin.register(models.Endpoint)
class EndpointAdmin(DomainErrorsMixin, admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "is_enabled", "created_on", "secret_rotated_on"]
    list_filter = ["is_enabled"]
    search_fields = ["url", "description"]
    exclude = ["secret"]  # shown once on App Settings when generated, never here

    def has_add_permission(self, request):
        # endpoints are added on App Settings, where their signing secret is generated
        return False


class DeliveryInline(admin.TabularInline):
    model = models.Delivery
    extra = 0
    can_delete = False
    fields = ["endpoint", "status", "attempts", "next_attempt_at", "delivered_on", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "event_id", "type", "ordering_key", "created_on", "actor"]
    list_filter = ["type"]
    list_select_related = ["actor"]
    search_fields = ["event_id", "ordering_key"]
    inlines = [DeliveryInline]


class DeliveryAttemptInline(admin.TabularInline):
    model = models.DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "status_code", "error", "duration_ms"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "next_attempt_at", "delivered_on"]
    list_filter = ["status", "endpoint"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__event_id", "ordering_key"]
    inlines = [DeliveryAttemptInline]


@admin.register(models.IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ["key", "user", "method", "path", "response_status", "created_on"]
    list_select_related = ["user"]
    search_fields = ["key", "path"]


@admin.register(models.DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ["delivery", "at", "status_code", "duration_ms", "error"]
    list_filter = ["status_code"]
    list_select_related = ["delivery__event", "delivery__endpoint"]

"""What every orders admin shares: refused saves become messages, traces stay read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from orders.templatetags.sop import money
from settings_app.errors import DomainError


def money_display(name: str, label: str, *, through: str = ""):
    """A column or read-only field showing a money field at its currency's precision (the
    database keeps four decimals; people read the currency's)."""

    @admin.display(description=label, ordering=name)
    def show(self, obj):
        document = getattr(obj, through) if through else obj
        return money(getattr(obj, name), document.currency.precision)

    show.__name__ = f"{name}_money"
    return show


@admin.display(description="Owner", ordering="owner__last_name")
def owner_name(obj):
    return obj.owner.get_full_name() or obj.owner.get_username()


class DomainErrorsMixin:
    """Refused by the domain → the admin's transaction rolls back and the user reads why."""

    def _refused(self, request, error):
        message = error.message if isinstance(error, DomainError) else " ".join(error.messages)
        self.message_user(request, f"Not saved: {message}", messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, ValidationError) as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as error:
            return self._refused(request, error)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Traces are written by the domain, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from settings_app.errors import DomainError
from settings_app.models import Organization, SwitchChange, SwitchDoor, User
from settings_app.services import can_move_switch, organization_set_sop_integration


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "is_integration_user",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_integration_user", "is_staff", "is_superuser", "is_active", "groups"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Back-office integration", {"fields": ["is_integration_user"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Back-office integration", {"fields": ["is_integration_user"]}),
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """The Organization page: where the switch is turned on, as in the original."""

    list_display = [
        "name",
        "is_sop_integration_enabled",
        "use_system_pricing",
        "pricing_decimal_precision",
        "discount_calculation_method",
    ]
    readonly_fields = ["modified_on"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_move_switch(request.user):
            fields.append("is_sop_integration_enabled")
        return fields

    def save_model(self, request, obj, form, change):
        wanted = obj.is_sop_integration_enabled
        stored = Organization.load().is_sop_integration_enabled
        obj.is_sop_integration_enabled = stored
        super().save_model(request, obj, form, change)
        if wanted != stored:
            try:
                organization_set_sop_integration(
                    actor=request.user, enabled=wanted, door=SwitchDoor.ADMIN
                )
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                obj.is_sop_integration_enabled = wanted


@admin.register(SwitchChange)
class SwitchChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_on", "changed_by", "door", "old_value", "new_value"]
    list_filter = ["door", "new_value"]
    list_select_related = ["changed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

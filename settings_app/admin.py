from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery, Sum
from django.shortcuts import redirect
from django.utils import timezone
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from settings_app.accounts import (
    can_change_rights,
    can_manage_roles,
    can_manage_user,
    can_see_user,
    user_set_integration_mode,
    visible_users,
)
from settings_app.errors import DomainError
from settings_app.models import Organization, SwitchChange, SwitchDoor, User
from settings_app.services import can_move_switch, organization_set_sop_integration


class IntegrationModeForm(forms.ModelForm):
    """The one account change below superuser (see settings_app.accounts)."""

    class Meta:
        model = User
        fields = ["is_integration_user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin for superusers; below superuser a narrow form (Integration user mode
    on another account that is not a superuser's), and superusers' accounts stay out of sight.
    The rule is settings_app.accounts'; this class only asks it."""

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
    narrow_fieldsets = (
        (None, {"fields": ["username", "first_name", "last_name", "email"]}),
        ("Back-office integration", {"fields": ["is_integration_user"]}),
    )

    def get_queryset(self, request):
        return visible_users(request.user, super().get_queryset(request))

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return (
            filters
            if can_change_rights(request.user)
            else [f for f in filters if f != "is_superuser"]
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None or can_change_rights(request.user):
            # the add form has no rights fields: a new account gets its roles from a superuser
            return super().get_fieldsets(request, obj)
        return self.narrow_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None or can_change_rights(request.user):
            return super().get_readonly_fields(request, obj)
        return ["username", "first_name", "last_name", "email", "last_login", "date_joined"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and not can_change_rights(request.user):
            kwargs["form"] = IntegrationModeForm
        return super().get_form(request, obj, **kwargs)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or can_see_user(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_manage_user(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_manage_user(request.user, obj))

    def save_model(self, request, obj, form, change):
        if change and not can_change_rights(request.user):
            user_set_integration_mode(
                actor=request.user, user=obj, enabled=form.cleaned_data["is_integration_user"]
            )
            return
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        """Setting a password takes the account over: superusers only. Your own password is
        changed on the admin's own page, which asks for the current one."""
        if not can_change_rights(request.user):
            if unquote(id) == str(request.user.pk):
                return redirect("admin:password_change")
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """The roles: a role holder may look (with view_group) but only superusers change them —
    editing the permissions of one's own role would raise one's own rights."""

    def has_add_permission(self, request):
        return can_manage_roles(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return can_manage_roles(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_manage_roles(request.user) and super().has_delete_permission(request, obj)


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(BaseTokenAdmin):
    """An API token is its user's identity: seeing or making another user's is superusers'."""

    def has_view_permission(self, request, obj=None):
        return can_manage_roles(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return can_manage_roles(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return can_manage_roles(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_manage_roles(request.user) and super().has_delete_permission(request, obj)


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


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    """Failed sign-ins (settings_app.signin): whether they block signing in now, and the two
    ways to lift a block — by username or by address. (axes' own "clean up expired attempts"
    is left out: it fails outside a sign-in request, and every sign-in cleans up anyway.)"""

    list_display = [
        "attempt_time",
        "username",
        "ip_address",
        "failures_since_start",
        "blocks_sign_in",
        "path_info",
        "user_agent",
    ]
    actions = ["unlock_usernames", "unlock_addresses"]

    def get_queryset(self, request):
        recent = AccessAttempt.objects.filter(
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
        )

        def recent_total(field):
            same = recent.filter(**{field: OuterRef(field)}).values(field)
            return Subquery(same.annotate(total=Sum("failures_since_start")).values("total")[:1])

        return (
            super()
            .get_queryset(request)
            .annotate(
                username_failures=recent_total("username"),
                address_failures=recent_total("ip_address"),
            )
        )

    @admin.display(description="Blocks sign-in now")
    def blocks_sign_in(self, obj):
        if (obj.username_failures or 0) >= settings.AXES_FAILURE_LIMIT:
            return "Yes: this username"
        if (obj.address_failures or 0) >= settings.SOP_SIGNIN_ADDRESS_LIMIT:
            return "Yes: this address"
        return "No"

    @admin.action(description="Unlock the selected usernames", permissions=["delete"])
    def unlock_usernames(self, request, queryset):
        names = sorted({name for name in queryset.values_list("username", flat=True) if name})
        AccessAttempt.objects.filter(username__in=names).delete()
        self.message_user(request, f"Unlocked: {', '.join(names) or 'no usernames'}.")

    @admin.action(description="Unlock the selected addresses", permissions=["delete"])
    def unlock_addresses(self, request, queryset):
        found = {address for address in queryset.values_list("ip_address", flat=True) if address}
        addresses = sorted(found)
        AccessAttempt.objects.filter(ip_address__in=addresses).delete()
        self.message_user(request, f"Unlocked: {', '.join(addresses) or 'no addresses'}.")

"""Home and App Settings (/app-settings/): for system customizers and superusers only.

The sections other apps contribute (open work, the skip table, the integration's endpoints and
what is in flight) are rendered by ``{% place %}`` from ``settings_app.places``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from settings_app.errors import DomainError
from settings_app.forms import OrganizationSettingsForm, SwitchOffForm
from settings_app.models import Organization, SwitchChange, SwitchDoor
from settings_app.services import organization_set_sop_integration, organization_update_settings

customizers_only = permission_required("settings_app.change_organization", raise_exception=True)

HISTORY_SHOWN = 20


@login_required
def home(request):
    """The greeting; the apps above fill in the rest (``{% place "home" %}``)."""
    return render(request, "settings_app/home.html", {"role": request.user.role_name})


@login_required
@customizers_only
def app_settings(request):
    organization = Organization.load()
    context = {
        "organization": organization,
        "history": SwitchChange.objects.select_related("changed_by")[:HISTORY_SHOWN],
    }
    return render(request, "settings_app/app_settings.html", context)


@login_required
@customizers_only
@require_http_methods(["GET", "POST"])
def organization_settings(request):
    organization = Organization.load()
    form = OrganizationSettingsForm(
        request.POST if request.method == "POST" else None, instance=organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization_update_settings(
                actor=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            form.describe_fields()
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Organization settings saved.")
            return redirect("app_settings")
    return render(request, "settings_app/organization_settings.html", {"form": form})


@login_required
@customizers_only
def integration(request):
    organization = Organization.load()
    context = {
        "organization": organization,
        "enabled": organization.is_sop_integration_enabled,
        "history": SwitchChange.objects.select_related("changed_by")[:HISTORY_SHOWN],
    }
    return render(request, "settings_app/integration.html", context)


@login_required
@customizers_only
@require_http_methods(["GET", "POST"])
def integration_off(request):
    """Step two of the Off toggle: show what is in flight, then ask for confirmation."""
    organization = Organization.load()
    if not organization.is_sop_integration_enabled:
        messages.info(request, "The integration is already off.")
        return redirect("app_settings")
    form = SwitchOffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organization_set_sop_integration(
                actor=request.user, enabled=False, door=SwitchDoor.APP_SETTINGS
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                "The back office order processing integration is off. Orders are invoiced here "
                "again; the entry has left App Settings.",
            )
            return redirect("app_settings")
    return render(request, "settings_app/integration_off.html", {"form": form})

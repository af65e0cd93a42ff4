"""App Settings pages under /app-settings/."""

import importlib.util

from django.urls import include, path

from settings_app import views

urlpatterns = [
    path("", views.app_settings, name="app_settings"),
    path("organization/", views.organization_settings, name="app_settings_organization"),
    path("integration/", views.integration, name="app_settings_integration"),
    path("integration/off/", views.integration_off, name="app_settings_integration_off"),
]

# The integration engineer's endpoint views (retry now, rotate secret …), once they exist.
if importlib.util.find_spec("orders.integration.urls") is not None:
    urlpatterns.append(path("integration/", include("orders.integration.urls")))

"""App Settings pages under /app-settings/."""

from django.urls import path

from settings_app import views

urlpatterns = [
    path("", views.app_settings, name="app_settings"),
    path("organization/", views.organization_settings, name="app_settings_organization"),
    path("integration/", views.integration, name="app_settings_integration"),
    path("integration/off/", views.integration_off, name="app_settings_integration_off"),
]

"""App Settings pages under /app-settings/."""

urlpatterns: list = []

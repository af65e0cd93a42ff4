"""POST actions of the endpoints panel, included under /app-settings/integration/."""

from django.urls import path

from orders.integration import views

app_name = "integration"

urlpatterns = [
    path("endpoints/add/", views.endpoint_add, name="endpoint_add"),
    path("endpoints/<int:pk>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("endpoints/<int:pk>/enabled/", views.endpoint_enabled, name="endpoint_enabled"),
    path("deliveries/retry/", views.delivery_retry_all, name="delivery_retry_all"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]

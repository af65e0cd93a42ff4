from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from settings_app import views as settings_views

urlpatterns = [
    path("", settings_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("app-settings/", include("settings_app.urls")),
    path("api/", include("orders.api.urls")),
    path("", include("orders.urls")),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from settings_app import views as settings_views


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on every page, the admin's and the API's too."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")  # at request time: the manifest exists by then


# Under /api/, Django's own refusals (a body too large, too many fields, a bad Host) answer in
# the API's JSON shape.
handler400 = "orders.api.errors.bad_request"

urlpatterns = [
    path("", settings_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("favicon.ico", FaviconView.as_view()),
    path("admin/", admin.site.urls),
    path("app-settings/", include("settings_app.urls")),
    # the endpoints panel's POST actions (add, rotate secret, pause, retry now): the integration
    # fills its section of App Settings (settings_app.places) and answers its own forms
    path("app-settings/integration/", include("orders.integration.urls")),
    path("api/", include("orders.api.urls")),
    path("", include("orders.urls")),
]

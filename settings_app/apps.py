from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles_and_organization(sender, using="default", apps=None, **kwargs):
    """After every migrate (and every flush, which tests do): roles and the organization exist.

    The data migrations create them on a fresh database; this keeps them after a flush and
    gives new models' permissions to the roles as soon as their tables exist.
    """
    from django.apps import apps as global_apps

    from settings_app.roles import sync_roles

    apps = apps or global_apps
    sync_roles(apps)
    apps.get_model("settings_app", "Organization").objects.using(using).get_or_create(pk=1)


class SettingsAppConfig(AppConfig):
    name = "settings_app"
    verbose_name = "Settings"

    def ready(self):
        post_migrate.connect(
            _ensure_roles_and_organization, sender=self, dispatch_uid="sopsite_roles"
        )

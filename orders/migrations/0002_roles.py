from django.db import migrations

from settings_app.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("settings_app", "0002_roles_and_organization"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]

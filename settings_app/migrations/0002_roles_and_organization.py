from django.db import migrations

from settings_app.roles import sync_roles


def create_organization(apps, schema_editor):
    Organization = apps.get_model("settings_app", "Organization")
    Organization.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("settings_app", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_organization, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]

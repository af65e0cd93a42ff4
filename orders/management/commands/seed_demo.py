"""The demo users, catalog and documents, for `make run` (safe to run repeatedly)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from orders import demo
from settings_app import roles

DEMO_USERS = [
    # username, first name, last name, group, superuser, integration user
    ("admin", "Ada", "Admin", None, True, False),
    ("customizer", "Casey", "Customizer", roles.SYSTEM_CUSTOMIZER, False, False),
    ("manager", "Morgan", "Manager", roles.SALES_MANAGER, False, False),
    ("sales", "Sam", "Seller", roles.SALESPERSON, False, False),
    ("integration", "Back", "Office", roles.BACK_OFFICE, False, True),
]


def demo_password() -> tuple[str, str]:
    """The demo password and where it came from; a generated one is kept in var/ for reuse."""
    if settings.SOP_DEMO_PASSWORD:
        return settings.SOP_DEMO_PASSWORD, "SOP_DEMO_PASSWORD"
    path = settings.BASE_DIR / "var" / "demo-password"
    if path.exists():
        return path.read_text().strip(), str(path)
    path.parent.mkdir(exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password, f"generated, kept in {path}"


class Command(BaseCommand):
    help = "Create the demo users, catalog and documents. Safe to run repeatedly."

    def handle(self, *args, **options):
        password, source = demo_password()
        User = get_user_model()
        created = 0
        with transaction.atomic():
            for username, first, last, group, superuser, integration in DEMO_USERS:
                user, is_new = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "email": f"{username}@example.com",
                        "is_superuser": superuser,
                        "is_staff": superuser or group == roles.SYSTEM_CUSTOMIZER,
                        "is_integration_user": integration,
                    },
                )
                if is_new:
                    user.set_password(password)
                    user.save()
                    created += 1
                elif not user.check_password(password):
                    user.set_password(password)
                    user.save(update_fields=["password"])
                if group:
                    user.groups.add(Group.objects.get(name=group))
            demo.seed(self.stdout)
        self.stdout.write(f"Demo users: {created} created, {len(DEMO_USERS) - created} present.")
        self.stdout.write("Sign in as admin, customizer, manager, sales or integration")
        self.stdout.write(f"  password: {password}   ({source})")

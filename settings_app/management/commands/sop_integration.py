from django.core.management.base import BaseCommand, CommandError

from settings_app.acting import acting_as
from settings_app.errors import DomainError
from settings_app.management.commands._actor import command_actor
from settings_app.models import Organization, SwitchChange, SwitchDoor
from settings_app.services import organization_set_sop_integration


class Command(BaseCommand):
    help = "Turn the back-office order processing integration on or off, or show its status."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["on", "off", "status"])
        parser.add_argument("--user", help="act as this user (default: the first superuser)")

    def handle(self, *args, action, user=None, **options):
        if action == "status":
            self._status()
            return
        actor = command_actor(user)
        with acting_as(actor):
            try:
                change = organization_set_sop_integration(
                    actor=actor, enabled=action == "on", door=SwitchDoor.COMMAND
                )
            except DomainError as error:
                raise CommandError(str(error)) from error
        if change is None:
            self.stdout.write(f"The back-office integration is already {action}.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"The back-office integration is now {action} (by {actor}).")
            )

    def _status(self):
        organization = Organization.load()
        state = "on" if organization.is_sop_integration_enabled else "off"
        self.stdout.write(f"The back-office integration is {state}.")
        last = SwitchChange.objects.select_related("changed_by").first()
        if last:
            self.stdout.write(
                f"Last change: {last.changed_on:%Y-%m-%d %H:%M:%S} UTC by "
                f"{last.changed_by or 'unknown'} via {last.get_door_display()}."
            )

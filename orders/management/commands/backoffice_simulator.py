"""``python manage.py backoffice_simulator``: the reference back office for demos and tests.

    manage.py backoffice_simulator [--port 8765] [--api http://127.0.0.1:8000]
                                   [--configure-endpoint] [--token TOKEN | --user integration]

With ``--configure-endpoint`` it registers (or re-enables) the endpoint
``http://127.0.0.1:<port>/webhooks`` through the endpoint services, acting as the first
superuser, and keeps that endpoint's secret; otherwise the secret comes from ``--secret`` or
``SOP_WEBHOOK_SECRET``, or from an existing endpoint row with that address.
"""

import logging
import signal
import threading

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from orders.integration.delivery import StopFlag
from orders.integration.endpoints import endpoint_create, endpoint_replay, endpoint_set_enabled
from orders.integration.simulator import ApiClient, BackOffice, make_server
from orders.models import Endpoint
from settings_app.management.commands._actor import command_actor


class Command(BaseCommand):
    help = "Run the reference back office: receive webhooks, act through the REST API."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--api", default="http://127.0.0.1:8000", help="sopsite's address")
        parser.add_argument("--configure-endpoint", action="store_true")
        parser.add_argument("--token", help="the integration user's API token")
        parser.add_argument("--user", default="integration", help="integration user (no --token)")
        parser.add_argument("--secret", help="the endpoint's whsec_ secret")
        parser.add_argument("--actor", help="who configures the endpoint (default: a superuser)")
        parser.add_argument(
            "--think-time",
            type=float,
            default=0,
            help="seconds to wait before acting on a submitted order (demos)",
        )

    def handle(
        self,
        *args,
        port,
        host,
        api,
        configure_endpoint,
        token,
        user,
        secret,
        actor,
        think_time,
        **options,
    ):
        logging.getLogger("sopsite.simulator").setLevel(logging.INFO)
        url = f"http://{host}:{port}/webhooks"
        if configure_endpoint:
            secret = self.configure(url, actor)
        secret = secret or settings.SOP_WEBHOOK_SECRET or self.stored_secret(url)
        if not secret:
            raise CommandError(
                f"No secret for {url}: pass --configure-endpoint, --secret or SOP_WEBHOOK_SECRET."
            )
        back_office = BackOffice(
            api=ApiClient(api, token or self.token_for(user)),
            secret=secret,
            refresh_secret=lambda: self.stored_secret(url),
            think_time=think_time,
        )
        server = make_server(back_office, host=host, port=port)
        # A flag, not a threading.Event: a burst of signals must not deadlock the handler.
        stop = StopFlag()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.stdout.write(f"back-office simulator receiving webhooks at {url}, API {api}")
        while not stop.wait(1):
            pass
        server.shutdown()
        self.stdout.write("back-office simulator stopped")

    def configure(self, url: str, actor_name: str | None) -> str:
        actor = command_actor(actor_name)
        endpoint = Endpoint.objects.filter(url=url).first()
        try:
            if endpoint is None:
                endpoint, secret = endpoint_create(
                    actor=actor, url=url, description="Back-office simulator"
                )
                # Hand it what happened before it existed (e.g. orders the demo data
                # submitted), so the demo's submitted orders come back processed too.
                replayed = endpoint_replay(actor=actor, endpoint=endpoint)
                self.stdout.write(f"endpoint {url} registered; {replayed} earlier event(s) queued")
                return secret
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not endpoint.is_enabled:
            endpoint_set_enabled(actor=actor, endpoint=endpoint, enabled=True)
        self.stdout.write(f"endpoint {url} already registered; using its secret")
        return endpoint.secret

    @staticmethod
    def stored_secret(url: str) -> str:
        return Endpoint.objects.filter(url=url).values_list("secret", flat=True).first() or ""

    @staticmethod
    def token_for(username: str) -> str:
        User = get_user_model()
        found = User.objects.filter(username=username, is_active=True).first()
        if found is None:
            raise CommandError(f"No active user {username!r}; run seed_demo or pass --token.")
        if not found.is_integration_user:
            raise CommandError(f"{username!r} is not an integration user.")
        return Token.objects.get_or_create(user=found)[0].key

"""Run the whole local stack in one terminal: web server, delivery worker, back-office simulator.

Ctrl-C (or SIGTERM) stops all of them; if one exits, the others are stopped too.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from orders.integration.endpoints import endpoint_from_environment


class Command(BaseCommand):
    help = "Start the web server, the delivery worker and the back-office simulator together."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--simulator-port", type=int, default=8765)

    def processes(self, port: int, simulator_port: int) -> list[tuple[str, list[str]]]:
        manage = [sys.executable, "manage.py"]
        procs = [
            ("web", [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"]),
            # Webhook delivery runs in its own worker (see docs/integration.md for why it is not
            # a django.tasks queue); a db_worker is only needed once something enqueues tasks.
            ("webhooks", [*manage, "deliver_webhooks"]),
        ]
        if not os.environ.get("SOP_WEBHOOK_URL"):
            procs.append(
                (
                    "simulator",
                    [
                        *manage,
                        "backoffice_simulator",
                        "--port",
                        str(simulator_port),
                        "--api",
                        f"http://127.0.0.1:{port}",
                        "--configure-endpoint",
                        # A submitted order stays visibly read-only for a while before the
                        # back office moves it on.
                        "--think-time",
                        "20",
                    ],
                )
            )
        return procs

    def endpoint_from_environment(self) -> None:
        """SOP_WEBHOOK_URL + SOP_WEBHOOK_SECRET preset the back office's endpoint (idempotent)."""
        try:
            endpoint = endpoint_from_environment()
        except ValidationError as error:
            message = " ".join(error.messages)
            raise CommandError(f"SOP_WEBHOOK_URL/SOP_WEBHOOK_SECRET: {message}") from None
        if endpoint is not None:
            self.stdout.write(f"webhooks go to {endpoint.url} (from SOP_WEBHOOK_URL)")

    def handle(self, *args, port, simulator_port, **options):
        self.endpoint_from_environment()
        running: list[tuple[str, subprocess.Popen]] = []
        for name, argv in self.processes(port, simulator_port):
            self.stdout.write(f"starting {name}: {' '.join(argv[1:])}")
            running.append((name, subprocess.Popen(argv)))  # noqa: S603
        self.stdout.write(self.style.SUCCESS(f"\nsopsite is at http://127.0.0.1:{port}/"))
        self.stdout.write(
            "Sign in as admin, customizer, manager, sales or integration (see above)."
        )
        self.stdout.write("Press Ctrl-C to stop everything.\n")

        def stop(*_):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(proc.poll() is None for _, proc in running):
                time.sleep(0.5)
            for name, proc in running:
                if proc.poll() is not None:
                    self.stderr.write(f"{name} exited with status {proc.returncode}; stopping.")
        except KeyboardInterrupt:
            self.stdout.write("\nstopping…")
        finally:
            for _, proc in running:
                if proc.poll() is None:
                    proc.terminate()
            for _, proc in running:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

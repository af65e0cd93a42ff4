"""Run the whole local stack in one terminal: web server, delivery worker, back-office simulator.

It fails loudly: when any of them exits by itself, the others are stopped and runstack exits
non-zero, naming the one that died. Ctrl-C (or SIGTERM) stops all of them: each gets SIGTERM
and up to ``GRACE_SECONDS`` to finish; a second Ctrl-C during that wait kills every one left.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from orders.integration.endpoints import endpoint_from_environment

GRACE_SECONDS = 10
POLL_SECONDS = 0.2


@dataclass
class Child:
    name: str
    process: subprocess.Popen

    def running(self) -> bool:
        return self.process.poll() is None

    def how_it_ended(self) -> str:
        code = self.process.returncode
        if code is not None and code < 0:
            return f"was killed by {signal.Signals(-code).name}"
        return f"exited with status {code}"


class Signals:
    """How many SIGINT/SIGTERM have arrived. The handler only counts — it raises nothing and
    takes no lock — so a signal can arrive at any point, even inside the shutdown, safely."""

    def __init__(self):
        self.count = 0

    def arrived(self, *_) -> None:
        self.count += 1


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
        signals = Signals()
        signal.signal(signal.SIGINT, signals.arrived)
        signal.signal(signal.SIGTERM, signals.arrived)
        children: list[Child] = []
        try:
            for name, argv in self.processes(port, simulator_port):
                if signals.count:
                    break
                process = subprocess.Popen(argv)  # noqa: S603 (our own manage.py commands)
                self.stdout.write(f"starting {name} (pid {process.pid}): {' '.join(argv[1:])}")
                children.append(Child(name, process))
            else:
                self.stdout.write(self.style.SUCCESS(f"\nsopsite is at http://127.0.0.1:{port}/"))
                self.stdout.write(
                    "Sign in as admin, customizer, manager, sales or integration (see above)."
                )
                self.stdout.write("Press Ctrl-C to stop everything.\n")
            dead = self.watch(children, signals)
        finally:
            # Also after an error of our own: no child outlives runstack.
            self.stop_all(children, signals)
        if dead is not None:
            raise CommandError(f"{dead.name} {dead.how_it_ended()}; stopped the others.")
        self.stdout.write("stopped.")

    def watch(self, children: list[Child], signals: Signals) -> Child | None:
        """Wait for Ctrl-C/SIGTERM (None) or for a child to exit by itself (that child)."""
        while not signals.count:
            for child in children:
                if not child.running():
                    self.stderr.write(f"{child.name} {child.how_it_ended()}; stopping the others.")
                    return child
            time.sleep(POLL_SECONDS)
        self.stdout.write("\nstopping… (Ctrl-C again to kill)")
        return None

    def stop_all(self, children: list[Child], signals: Signals) -> None:
        """SIGTERM to every child still running, then wait; kill whatever is left when the
        grace period ends or another Ctrl-C/SIGTERM arrives meanwhile."""
        asked = signals.count
        for child in children:
            if child.running():
                child.process.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        while any(child.running() for child in children):
            if signals.count > asked or time.monotonic() > deadline:
                for child in children:
                    if child.running():
                        self.stderr.write(f"killing {child.name} (pid {child.process.pid})")
                        child.process.kill()
                for child in children:
                    child.process.wait()
                break
            time.sleep(POLL_SECONDS / 4)

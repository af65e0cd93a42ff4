"""Run the whole local stack in one terminal: web server, delivery worker, back-office simulator.

Ctrl-C (or SIGTERM) stops all of them; if one exits, the others are stopped too.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management import get_commands
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server, the delivery worker and the back-office simulator together."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--simulator-port", type=int, default=8765)

    def processes(self, port: int, simulator_port: int) -> list[tuple[str, list[str]]]:
        manage = [sys.executable, "manage.py"]
        procs = [("web", [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"])]
        commands = get_commands()
        if "db_worker" in commands:
            procs.append(("worker", [*manage, "db_worker", "--queue-name", "*"]))
        if "backoffice_simulator" in commands and not os.environ.get("SOP_WEBHOOK_URL"):
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
                    ],
                )
            )
        return procs

    def handle(self, *args, port, simulator_port, **options):
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

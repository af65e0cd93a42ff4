"""The webhook delivery worker: ``python manage.py deliver_webhooks``.

Runs until SIGTERM/SIGINT, however many arrive at once (the handler only sets a flag). Several
may run at once (on PostgreSQL): rows are claimed with ``SKIP LOCKED`` and a lease, see
``orders.integration.delivery``.
"""

import os
import signal
import sys
import threading
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from orders.apps import configure_webhook_endpoint
from orders.integration.delivery import (
    DEFAULT_BATCH,
    StopFlag,
    deliver_due,
    run_worker,
    timeout_seconds,
)

# --once keeps going round until nothing is due; a failed delivery waits for its backoff, so
# the rounds end. The cap only guards against a clock that never moves on.
MAX_ROUNDS = 10_000


class Command(BaseCommand):
    help = "Deliver queued webhooks to the back office, retrying with backoff (runs until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=2, help="deliveries sent in parallel")
        parser.add_argument("--poll-interval", type=float, default=1.0, help="seconds")
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH)
        parser.add_argument("--timeout", type=float, help="seconds a receiver has to answer")
        parser.add_argument("--lease", type=float, help="seconds a claimed delivery is reserved")
        parser.add_argument(
            "--once",
            action="store_true",
            help="send everything due now, for all orders (each order's events in order: the "
            "next one once the one before is delivered), then exit; failures wait for their "
            "retry",
        )

    def handle(self, *args, threads, poll_interval, batch, timeout, lease, once, **options):
        if timeout is not None:
            settings.SOP_WEBHOOK_TIMEOUT = timeout
        if lease is not None:
            settings.SOP_WEBHOOK_LEASE = lease
        try:
            configure_webhook_endpoint(strict=True)
        except ValidationError as error:
            message = " ".join(error.messages)
            raise CommandError(f"SOP_WEBHOOK_URL/SOP_WEBHOOK_SECRET: {message}") from None
        if once:
            total = 0
            for _ in range(MAX_ROUNDS):
                sent = deliver_due(limit=batch)
                if not sent:
                    break
                total += sent
            self.stdout.write(f"attempted {total} deliveries")
            return
        stop = StopFlag()

        def request_stop(*_):
            # Only sets a flag: a handler may run again, inside itself, when signals come in a
            # burst (Ctrl-C then SIGTERM within microseconds), so it must take no lock.
            stop.requested = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(
            f"delivering webhooks with {threads} thread(s), timeout {timeout_seconds():g} s"
        )

        def loop():
            try:
                run_worker(stop=stop, poll_interval=poll_interval, batch=batch)
            finally:
                connections.close_all()

        workers = [threading.Thread(target=loop, daemon=True) for _ in range(max(1, threads))]
        for worker in workers:
            worker.start()
        while not stop.is_set():
            time.sleep(0.1)
        # A send in progress ends within its deadline; the claims not sent yet are released.
        for worker in workers:
            worker.join(timeout=timeout_seconds() + 5)
        connections.close_all()
        self.stdout.write("webhook worker stopped")
        self.stdout.flush()
        sys.stderr.flush()
        # Nothing is left to clean up: skip the interpreter's teardown of every module, which
        # costs a Django process about a second of CPU — many seconds on a busy host or with
        # several workers stopping at once, eating into the grace period before a SIGKILL.
        os._exit(0)

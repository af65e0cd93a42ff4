"""Many sales orders in every state, for measuring the pages at scale (``orders.volume``)."""

import time

from django.core.management.base import BaseCommand, CommandError

from orders import volume


class Command(BaseCommand):
    help = (
        "Add N sales orders in every state, with lines, audit entries, history, and the events "
        "and deliveries of the submitted ones, by bulk inserts. For trying and measuring scale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, required=True, help="how many orders to add")
        parser.add_argument("--lines-per-order", type=int, default=3, help="about (±1); 3")
        parser.add_argument("--accounts", type=int, default=500, help="accounts to spread over")
        parser.add_argument("--salespeople", type=int, default=20, help="owners to spread over")
        parser.add_argument("--seed", type=int, default=1, help="the random generator's seed")

    def handle(self, *args, orders, lines_per_order, accounts, salespeople, seed, **options):
        if orders < 1 or lines_per_order < 0 or accounts < 1 or salespeople < 1:
            raise CommandError(
                "--orders, --accounts and --salespeople must be at least 1, "
                "--lines-per-order at least 0."
            )
        started = time.monotonic()
        verbosity = options.get("verbosity", 1)

        def progress(made):
            if verbosity > 1:
                self.stdout.write(f"  {made.orders} orders, {made.lines} lines")

        made = volume.seed_volume(
            orders=orders,
            lines_per_order=lines_per_order,
            accounts=accounts,
            salespeople=salespeople,
            seed=seed,
            progress=progress,
        )
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Added {made.orders} orders with {made.lines} lines, {made.events} events and "
            f"{made.deliveries} deliveries ({made.accounts} new accounts, {made.salespeople} new "
            f"salespeople) in {seconds:.1f} s."
        )

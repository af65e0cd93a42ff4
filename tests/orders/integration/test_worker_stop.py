"""The delivery worker always stops, whatever burst of signals it gets (real processes)."""

import os
import signal
import subprocess
import time

import pytest

from tests.orders.integration.processes import Worker

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("integration"),
    pytest.mark.django_db(transaction=True),
]

TRIALS = 50
BATCH = 10  # processes started together: their start-up overlaps
MAX_GAP_NS = 200_000


def signal_pair(pid: int, gap_ns: int) -> None:
    """SIGINT, then SIGTERM ``gap_ns`` later (busy-waiting: sleep cannot do microseconds)."""
    os.kill(pid, signal.SIGINT)
    sent = time.perf_counter_ns()
    while time.perf_counter_ns() - sent < gap_ns:
        pass
    os.kill(pid, signal.SIGTERM)


def test_sigint_then_sigterm_microseconds_apart_never_hangs_the_worker(worker_database):
    gaps = [trial * MAX_GAP_NS // (TRIALS - 1) for trial in range(TRIALS)]  # 0 … 200 µs
    hung: list[tuple[int, str]] = []
    exit_codes = []
    for first in range(0, TRIALS, BATCH):
        batch = gaps[first : first + BATCH]
        # PYTHONFAULTHANDLER: a worker that hangs shows where, when it is sent SIGABRT.
        # Idle workers (nothing to deliver, a slow poll) cost the machine least while waiting.
        workers = [
            Worker(worker_database, "--poll-interval", "5", PYTHONFAULTHANDLER="1") for _ in batch
        ]
        try:
            for worker in workers:
                worker.wait_for_output("delivering webhooks")
            signalled = []
            for worker, gap in zip(workers, batch, strict=True):
                signal_pair(worker.pid, gap)
                signalled.append(time.monotonic())
            for worker, gap, at in zip(workers, batch, signalled, strict=True):
                try:
                    exit_codes.append(worker.process.wait(max(0.1, at + 10 - time.monotonic())))
                except subprocess.TimeoutExpired:
                    worker.process.send_signal(signal.SIGABRT)
                    worker.process.wait(10)
                    hung.append((gap // 1000, worker.output()))
        finally:
            for worker in workers:
                worker.kill()

    assert hung == [], f"{len(hung)} of {TRIALS} workers hung; gaps (µs) and output: {hung}"
    assert exit_codes == [0] * TRIALS

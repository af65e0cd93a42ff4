"""``make run``'s runstack fails loudly and always stops its children (real processes)."""

import os
import re
import shutil
import signal
import time

import pytest

from tests.orders.integration.processes import Process, free_port, manage

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("integration")]

USERS = """
from settings_app.models import User
User.objects.create_superuser("admin", password="x-unused-x")
User.objects.create_user("integration", password="x-unused-x", is_integration_user=True)
print("{}")
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    path = tmp_path_factory.mktemp("runstack") / "migrated.sqlite3"
    manage(f"sqlite:///{path}", "migrate", "--no-input", "-v0")
    return path


@pytest.fixture
def database(migrated, tmp_path):
    """A fresh copy of a migrated SQLite file (runstack's children share it)."""
    path = tmp_path / "db.sqlite3"
    shutil.copy(migrated, path)
    return f"sqlite:///{path}"


class Runstack(Process):
    def __init__(self, url: str):
        super().__init__(
            url,
            *["runstack", "--port", str(free_port()), "--simulator-port", str(free_port())],
            SOP_WEBHOOK_ALLOW_PRIVATE="true",
        )

    def children(self) -> dict[str, int]:
        return {
            name: int(pid)
            for name, pid in re.findall(r"starting (\w+) \(pid (\d+)\)", self.output())
        }

    def finish(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout)
        except Exception:
            self.kill()
            for pid in self.children().values():
                kill_if_running(pid)
            raise


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead, only not reaped yet
        return stat.read().split(") ", 1)[1][0] != "Z"


def kill_if_running(pid: int) -> None:
    if running(pid):
        os.kill(pid, signal.SIGKILL)


def test_a_child_that_fails_at_start_stops_the_others_and_runstack_names_it(database):
    # No users: the simulator cannot register its endpoint and exits at once.
    stack = Runstack(database)

    code = stack.finish(60)

    output = stack.output()
    assert code != 0
    assert "No superuser exists" in output
    assert "simulator exited with status 1; stopping the others." in output
    assert "CommandError: simulator exited with status 1" in output
    children = stack.children()
    assert set(children) == {"web", "webhooks", "simulator"}
    assert not any(running(pid) for pid in children.values())


def test_a_child_killed_later_stops_the_others_and_runstack_names_it(database):
    manage(database, "shell", "-c", USERS)
    stack = Runstack(database)
    stack.wait_for_output("back-office simulator receiving webhooks")
    stack.wait_for_output("delivering webhooks")
    children = stack.children()

    os.kill(children["webhooks"], signal.SIGKILL)
    code = stack.finish(30)

    output = stack.output()
    assert code != 0
    assert "webhooks was killed by SIGKILL; stopping the others." in output
    assert not any(running(pid) for pid in children.values())


def test_a_second_ctrl_c_during_the_shutdown_kills_every_child(database):
    manage(database, "shell", "-c", USERS)
    stack = Runstack(database)
    stack.wait_for_output("back-office simulator receiving webhooks")
    stack.wait_for_output("delivering webhooks")
    children = stack.children()
    # A worker that does not react to SIGTERM: stopped, its handler cannot run (only SIGKILL
    # ends it — a process without a handler would be ended by SIGTERM even while stopped).
    os.kill(children["webhooks"], signal.SIGSTOP)

    os.kill(stack.pid, signal.SIGINT)
    stack.wait_for_output("stopping…", timeout=10)
    time.sleep(0.5)
    assert stack.process.poll() is None  # still waiting for the worker
    os.kill(stack.pid, signal.SIGINT)
    code = stack.finish(5)  # well inside the 10 s it would otherwise wait

    assert code == 0
    assert f"killing webhooks (pid {children['webhooks']})" in stack.output()
    assert not any(running(pid) for pid in children.values())

"""Starting sopsite's commands as real processes on a database the test can see."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The test database as a DATABASE_URL, so a worker process opens the same one."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    """A port nobody listens on now, for a program that must be told its port up front."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def process_env(url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "PYTHONUNBUFFERED": "1", **extra}


def manage(url: str, *args: str, timeout: float = 180) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env=process_env(url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def in_process(url: str, code: str):
    """Run ``code`` in a fresh ``manage.py shell`` on that database; it prints JSON last."""
    return json.loads(manage(url, "shell", "-c", textwrap.dedent(code)).strip().splitlines()[-1])


class Process:
    """A ``manage.py`` command (or another ``program``) running in the background, its output
    kept in a file."""

    def __init__(self, url: str, *args: str, program: tuple[str, ...] = (), **env: str):
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (read while and after it runs)
        self.process = subprocess.Popen(
            [*(program or (sys.executable, "manage.py")), *args],
            cwd=Path(settings.BASE_DIR),
            env=process_env(url, **env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def wait_for_output(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in the output:\n{self.output()}")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


class Worker(Process):
    """``manage.py deliver_webhooks``, polling every 0.1 s."""

    def __init__(self, url: str, *args: str, **env: str):
        super().__init__(url, "deliver_webhooks", "--poll-interval", "0.1", *args, **env)

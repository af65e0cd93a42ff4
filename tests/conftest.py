import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

from settings_app import roles
from settings_app.acting import acting_as
from settings_app.models import SwitchDoor
from settings_app.services import organization_set_sop_integration
from tests.factories import UserFactory


@pytest.fixture
def salesperson(db):
    return UserFactory(username="sales", role=roles.SALESPERSON)


@pytest.fixture
def other_salesperson(db):
    return UserFactory(username="sales2", role=roles.SALESPERSON)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role=roles.SALES_MANAGER)


@pytest.fixture
def customizer(db):
    return UserFactory(username="customizer", role=roles.SYSTEM_CUSTOMIZER, is_staff=True)


@pytest.fixture
def integration_user(db):
    return UserFactory(username="integration", role=roles.BACK_OFFICE, is_integration_user=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


def set_switch(actor, enabled: bool) -> None:
    with acting_as(actor):
        organization_set_sop_integration(actor=actor, enabled=enabled, door=SwitchDoor.COMMAND)


@pytest.fixture
def switch_on(customizer):
    set_switch(customizer, True)
    return True


@pytest.fixture
def switch_off(db):
    return False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing stays real but cheap: PBKDF2's deliberate slowness is not what tests measure."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# --- the live server ----------------------------------------------------------------------


class OneRequestAtATime(WSGIServer):
    """The live server for an in-memory SQLite database. Every server thread would share the
    test's one connection (the database exists only there), and two requests reading through
    it at once can cut each other's rows short: the statement cache is the connection's. So
    requests are served one after another (the browser's parallel fetches queue)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _live_server_for_the_database():
    """pytest-django makes SQLite's test database in memory unless a file is named for it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    in_memory = database.get("TEST", {}).get("NAME") in (None, "", ":memory:")
    if database["ENGINE"].endswith("sqlite3") and in_memory:
        LiveServerThread.server_class = OneRequestAtATime


# --- browser tests: Debian's Chromium, never a downloaded browser ---------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def base_url():
    """Pages are addressed by the live server's URL; this also replaces pytest-playwright's
    fallback fixture, which pytest 9 warns about."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }

"""Browser tests: a real Chromium (Debian's) against Django's live server.

Transactional tests flush the database afterwards; ``serialized_rollback`` brings back what
the migrations created (the roles, the organization) for the next one.
"""

import os
import re
from pathlib import Path

import pytest

from settings_app import roles
from tests.conftest import CHROMIUM
from tests.factories import PASSWORD, UserFactory
from tests.orders.views.helpers import build_catalog

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}")
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(skip)


@pytest.fixture
def console_errors(page):
    """Every console error and uncaught exception of the page (CSP violations included);
    the test fails at the end if there are any."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield errors
    assert errors == [], f"console errors: {errors}"


@pytest.fixture
def people(transactional_db):
    return {
        "sales": UserFactory(
            username="sales", first_name="Sam", last_name="Seller", role=roles.SALESPERSON
        ),
        "manager": UserFactory(
            username="manager", first_name="Morgan", last_name="Manager", role=roles.SALES_MANAGER
        ),
        "customizer": UserFactory(
            username="customizer",
            first_name="Casey",
            last_name="Customizer",
            role=roles.SYSTEM_CUSTOMIZER,
            is_staff=True,
        ),
    }


@pytest.fixture
def shop(transactional_db):
    return build_catalog()


@pytest.fixture
def sign_in(page, live_server, console_errors):
    def go(username: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/$"))
        return page

    return go

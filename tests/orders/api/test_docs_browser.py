"""The API docs page in a real Chromium: Swagger UI renders the schema, with no CSP violation
or script error under the site's strict Content-Security-Policy."""

import os

import pytest

from tests.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
]


def test_swagger_ui_renders_without_console_errors(page, live_server, transactional_db):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector('[data-path="/api/v1/salesorders/{id}/submit"]', timeout=20_000)
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("sopsite API")
    assert errors == []

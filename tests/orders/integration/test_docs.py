"""The examples of docs/integration.md run as written."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import WebhookVerificationError

from orders.integration.delivery import signed_headers, webhook_body
from orders.integration.endpoints import generate_secret
from orders.models import Event

GUIDE = Path(settings.BASE_DIR) / "docs" / "integration.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)


def test_the_guide_verification_snippet_accepts_sopsite_webhooks_and_refuses_forgeries():
    [snippet] = python_blocks()
    namespace: dict = {}
    exec(compile(snippet, str(GUIDE), "exec"), namespace)
    verify = namespace["verify"]
    secret = generate_secret()
    event = Event(
        event_id="msg_0123",
        type="salesorder.submitted",
        payload={"id": 42},
        created_on=timezone.now(),
    )
    body = webhook_body(event)
    headers = signed_headers(event=event, secret=secret, body=body, sent_at=timezone.now())
    headers = {name.title(): value for name, value in headers.items()}  # as a server passes them

    assert verify(body.encode(), headers, secret) == json.loads(body)
    assert verify(body.encode(), headers, secret)["data"] == {"id": 42}
    with pytest.raises(WebhookVerificationError):
        verify(body.replace("42", "43").encode(), headers, secret)
    with pytest.raises(WebhookVerificationError):
        verify(body.encode(), headers, generate_secret())


def test_the_guide_names_every_event_type_the_code_writes_and_links_its_schema():
    from orders.integration import payloads

    text = GUIDE.read_text()
    for name in payloads.SCHEMA_VERSIONS:
        assert f"`{name}`" in text
        assert f"(schemas/webhooks/{name}.json)" in text


def test_the_guide_states_the_retry_schedule_the_worker_uses():
    from orders.integration.delivery import MAX_ATTEMPTS, RETRY_DELAYS

    text = " ".join(GUIDE.read_text().split())
    assert "5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h and 8 h" in text
    assert RETRY_DELAYS == [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800]
    assert f"{MAX_ATTEMPTS} attempts" in text


def test_the_operations_guide_names_every_environment_variable_the_code_reads():
    operations = (Path(settings.BASE_DIR) / "docs" / "operations.md").read_text()
    read = {"DATABASE_URL"}  # read by dj_database_url.config()
    for source in [
        Path(settings.BASE_DIR) / "sopsite" / "settings.py",
        *(Path(settings.BASE_DIR) / "settings_app" / "management" / "commands").glob("*.py"),
        *(Path(settings.BASE_DIR) / "orders" / "management" / "commands").glob("*.py"),
    ]:
        read |= set(
            re.findall(
                r"""(?:environ(?:\.get)?\(|environ\[|env_bool\(|env_list\()["']([A-Z_]+)["']""",
                source.read_text(),
            )
        )
    assert {"SECRET_KEY", "SOP_WEBHOOK_ALLOW_PRIVATE", "SOP_ACTOR"} <= read  # the search works
    assert [name for name in sorted(read) if f"`{name}`" not in operations] == []
    for endpoint in ("/healthz", "/readyz"):
        assert f"`GET {endpoint}`" in operations

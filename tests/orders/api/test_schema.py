import re

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in (
        "/api/v1/organization",
        "/api/v1/salesorders/{id}/submit",
        "/api/v1/salesorders/{document_id}/lines/{line_id}",
        "/api/v1/events",
        "/api/v1/pricelists/{parent_id}/items",
    ):
        assert f"{path}:" in text, path


@pytest.mark.django_db
def test_schema_is_served_as_json(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "SalesOrderStateEnum" in schema["components"]["schemas"]


@pytest.mark.django_db
def test_docs_page_runs_under_the_csp_with_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    styles = re.findall(r"<style[^>]*>", html)
    assert scripts and styles
    for tag in scripts + styles:
        assert f'nonce="{nonce}"' in tag, tag
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert len(assets) == 3
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "http://" not in html and "https://" not in html

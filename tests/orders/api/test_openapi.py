"""The schema as generated clients read it: every status with its body, only the headers an
operation takes, one operationId scheme, integer ids, descriptions for integrators."""

import ast
import json
import re
from pathlib import Path

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator

from orders.api.openapi import ERROR_CODES
from orders.integration.payloads import SCHEMA_VERSIONS

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def test_every_operation_declares_every_error_with_a_body(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        for status in ("400", "401", "403", "429"):
            assert status in responses, (path, method, status)
        if "{" in path:
            assert "404" in responses, (path, method)
        for status, response in responses.items():
            if status[0] in "45":
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in {"Error", "ValidationError"}, (path, status)
        assert "WWW-Authenticate" in responses["401"]["headers"]
        assert "Retry-After" in responses["429"]["headers"]


def test_headers_are_declared_only_where_taken(schema):
    for path, method, operation in operations(schema):
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        responses = operation["responses"]
        assert ("If-Match" in names) == ("412" in responses), (path, method)
        assert ("Idempotency-Key" in names) == ("422" in responses), (path, method)
        if method in {"PATCH", "DELETE"}:
            assert "If-Match" in names, (path, method)
        if method == "POST":
            assert "Idempotency-Key" in names, (path, method)
            created = responses.get("201") or responses.get("200")
            assert "Idempotent-Replayed" in created["headers"], path
        if method == "GET" and path.endswith("}"):
            assert "ETag" in responses["200"]["headers"], path
        if "201" in responses:
            assert "Location" in responses["201"]["headers"], path
        # A create has no version to compare yet.
        if method == "POST" and re.fullmatch(r"/api/v1/[a-z]+", path):
            assert "If-Match" not in names, path


def test_one_operation_id_scheme(schema):
    ids = []
    for path, _, operation in operations(schema):
        resource = path.removeprefix("/api/v1/").split("/")[0]
        assert re.fullmatch(rf"{resource}(_[a-z]+)+", operation["operationId"]), operation
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))
    for expected in ("salesorders_submit", "salesorders_lines_create", "accounts_list"):
        assert expected in ids


def test_path_ids_are_integers_and_descriptions_are_for_integrators(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"]["type"] == "integer", (path, parameter)
        description = operation.get("description", "")
        assert description, (path, method)
        assert "``" not in description and "acting user" not in description, (path, method)


def test_components_name_what_they_are(schema):
    components = schema["components"]["schemas"]
    assert not {"StatusEnum", "TypeEnum"} & set(components)
    assert components["ErrorCodeEnum"]["enum"] == ERROR_CODES
    for name, component in components.items():
        assert "no lines" not in component.get("description", ""), name
        pricing = component.get("properties", {}).get("pricing")
        # The webhook payloads are what was sent, not records one writes: no readOnly there.
        if pricing is not None and not name.startswith("Webhook") and not name.endswith("Data"):
            assert "Pricing" in str(pricing) and pricing.get("readOnly"), name
    order = components["SalesOrderDetail"]["properties"]
    assert order["external_reference"]["x-integration-only"] is True
    assert "integration user" in order["external_reference"]["description"]
    for field in ("id", "number", "state", "version", "state_code", "pricing", "lines"):
        assert order[field].get("readOnly") or "readOnly" in str(order[field]), field
    token = schema["components"]["securitySchemes"]["tokenAuth"]
    assert "Token <key>" in token["description"]


def _raised_codes() -> set[str]:
    """Every ``code="…"`` given to an error the domain raises, found in the source."""
    codes = set()
    for folder in ("orders", "settings_app"):
        for file in (ROOT / folder).rglob("*.py"):
            if "migrations" in file.parts:
                continue
            for node in ast.walk(ast.parse(file.read_text())):
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                    for keyword in node.exc.keywords:
                        if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                            codes.add(keyword.value.value)
                if isinstance(node, ast.ClassDef) and node.name != "ValidationError":
                    for statement in node.body:
                        if (
                            isinstance(statement, ast.Assign)
                            and [getattr(t, "id", None) for t in statement.targets] == ["code"]
                            and isinstance(statement.value, ast.Constant)
                        ):
                            codes.add(statement.value.value)
    return codes


def test_the_error_code_enum_names_every_code_the_domain_raises():
    # Django ValidationError codes (required, max, unique, …) become field errors under
    # ``invalid``; everything else reaches the body's ``code`` as is.
    field_error_codes = {"required", "max", "unique", "invalid", "not_ascii"}
    missing = _raised_codes() - field_error_codes - set(ERROR_CODES)
    assert not missing, f"add to RAISED_CODES in orders/api/openapi.py: {sorted(missing)}"


def test_the_schema_is_valid_openapi_3_1(schema):
    from openapi_spec_validator import validate

    document = json.loads(json.dumps(schema, cls=DjangoJSONEncoder))
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_event_type_is_in_the_webhooks_with_the_repository_schema(schema):
    components = schema["components"]["schemas"]
    assert set(schema["webhooks"]) == set(SCHEMA_VERSIONS)
    assert set(components["EventTypeEnum"]["enum"]) == set(SCHEMA_VERSIONS)
    mapping = components["Event"]["discriminator"]["mapping"]
    assert set(mapping) == set(SCHEMA_VERSIONS)
    for event_type in SCHEMA_VERSIONS:
        pinned = json.loads((ROOT / "docs/schemas/webhooks" / f"{event_type}.json").read_text())
        envelope = components[mapping[event_type].rsplit("/", 1)[1]]
        data = components[envelope["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
        assert data["required"] == pinned["required"]
        assert set(data["properties"]) == set(pinned["properties"])
        body = schema["webhooks"][event_type]["post"]["requestBody"]
        assert body["content"]["application/json"]["schema"]["$ref"].endswith("Webhook")

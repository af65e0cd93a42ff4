"""Property-based: schemathesis generates requests from our own OpenAPI schema (valid and
invalid ones) for every operation; none may answer with a 5xx, every status must be one the
operation declares, every body (success and error) must match the schema the operation declares
for that status, and every error body must carry a code of the ``ErrorCodeEnum``. Kept small to
stay fast."""

import json
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from orders.api.openapi import ERROR_CODES
from tests.orders.api.conftest import client_for
from tests.orders.factories import DiscountBandFactory

EXAMPLES = 3
CUSTOMIZER_RESOURCES = {
    "organization",
    "currencies",
    "units",
    "unitgroups",
    "products",
    "pricelists",
    "discountlists",
}
HEALTH = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
]


def load_schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    document = json.loads(json.dumps(document, cls=DjangoJSONEncoder))
    schema = schemathesis.openapi.from_dict(document)
    # PostgreSQL rejects NUL in text; it is not a character any client sends on purpose.
    schema.config.generation.update(allow_x00=False)
    return schema


def send(client, case):
    path = case.formatted_path
    if case.query:
        path = f"{path}?{urlencode(case.query, doseq=True)}"
    headers = {
        f"HTTP_{name.upper().replace('-', '_')}": str(value)
        for name, value in (case.headers or {}).items()
        if name.lower() not in {"authorization", "content-type", "content-length"}
    }
    body = case.body
    if type(body).__name__ == "NotSet" or body is None:
        payload = b""
    elif isinstance(body, bytes):
        payload = body
    else:
        payload = json.dumps(body, default=str)
    return client.generic(
        case.method.upper(), path, payload, content_type="application/json", **headers
    )


@pytest.fixture
def records(make_document, integration_user, catalog):
    order = make_document("salesorder", integration_user, lines=2)
    band = DiscountBandFactory()
    item = catalog["price_list"].items.first()
    ids = {
        "opportunities": make_document("opportunity", integration_user, lines=1).pk,
        "quotes": make_document("quote", integration_user, lines=1).pk,
        "salesorders": order.pk,
        "invoices": make_document("invoice", integration_user, lines=1).pk,
        "currencies": catalog["currency"].pk,
        "units": catalog["products"][0].default_unit_id,
        "unitgroups": catalog["products"][0].unit_group_id,
        "products": catalog["products"][0].pk,
        "pricelists": catalog["price_list"].pk,
        "discountlists": band.discount_list_id,
        "accounts": catalog["account"].pk,
    }
    children = {
        "salesorders": order.lines.first().pk,
        "pricelists": item.pk,
        "discountlists": band.pk,
    }
    return ids, children


def path_parameters(path: str, ids, children) -> dict:
    parts = path.strip("/").split("/")
    resource = parts[2] if len(parts) > 2 else ""
    if resource not in ids:
        return {}
    return {
        "id": ids[resource],
        "document_id": ids[resource],
        "parent_id": ids[resource],
        "line_id": children.get(resource, 1),
    }


def conforms(case, response) -> None:
    """The response's body matches the schema its operation declares for the status (schemathesis'
    own response-schema check, fed the Django test client's answer)."""
    request = requests.Request(case.method.upper(), f"http://testserver{case.formatted_path}")
    answer = schemathesis.Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.items()},
        content=response.content,
        request=request.prepare(),
        elapsed=0.0,
        verify=False,
    )
    case.operation.schema.validate_response(case.operation, answer, case=case)


def fuzz(client, strategy, declared: set[str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=HEALTH,
        phases=[Phase.generate, Phase.shrink],
        database=None,
    )
    @given(case=strategy)
    def run(case):
        response = send(client, case)
        assert response.status_code < 500, (
            case.method,
            case.formatted_path,
            case.body,
            response.status_code,
        )
        # Conformance: the status is one the schema declares, an error has the Error shape.
        assert str(response.status_code) in declared, (
            case.method,
            case.formatted_path,
            response.status_code,
        )
        conforms(case, response)
        if response.status_code >= 400:
            body = response.json()
            assert body["code"] in ERROR_CODES and isinstance(body["detail"], str), body

    run()


@pytest.mark.django_db
@pytest.mark.slow
def test_no_generated_request_gets_a_5xx(records, integration_user, customizer, switch_on):
    ids, children = records
    schema = load_schema()
    integration, customizer = client_for(integration_user), client_for(customizer)
    for result in schema.get_all_operations():
        operation = result.ok()
        fixed = path_parameters(operation.path, ids, children)
        # The back office's account for documents, the customizer for catalog and settings.
        resource = operation.path.strip("/").split("/")[2:3]
        client = customizer if set(resource) & CUSTOMIZER_RESOURCES else integration
        # Invalid data needs something to be invalid: a body or a query parameter (the path's
        # ids are fixed to real records, so every operation reaches its view).
        negative = bool(len(operation.body) or len(operation.query))
        modes = [GenerationMode.POSITIVE] + [GenerationMode.NEGATIVE] * negative
        declared = set(operation.definition.raw["responses"])
        for mode in modes:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            fuzz(client, strategy, declared)


def violations(case, response) -> list[str]:
    try:
        conforms(case, response)
    except BaseExceptionGroup as group:
        return [str(failure) for failure in group.exceptions]
    except AssertionError as failure:
        return [str(failure)]
    return []


@pytest.mark.django_db
def test_conformance_catches_a_body_off_the_schema():
    """The conformance check is live: an order that is not an order, or an error without its
    code, is caught."""
    from django.http import JsonResponse

    schema = load_schema()
    operation = schema["/api/v1/salesorders/{id}"]["GET"]
    case = operation.Case(path_parameters={"id": 1})
    assert any("violates schema" in v for v in violations(case, JsonResponse({"id": "x"})))
    missing_code = JsonResponse({"detail": "no code"}, status=404)
    assert any("violates schema" in v for v in violations(case, missing_code))

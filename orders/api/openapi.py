"""What the OpenAPI schema says, computed from the views so a new action or resource is covered
without a word here (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``):

- one operationId scheme, ``<resource>_<action>`` from the path and the view's action
  (``salesorders_submit``, ``salesorders_lines_create``, ``accounts_list``);
- every status an operation can answer, each with the ``Error`` (or ``ValidationError``) body:
  401, 403 and 429 everywhere, 404 where the path names a record, 409 on writes, 412 where the
  view compares ``If-Match`` (``takes_if_match``), 422 where the handler is ``idempotent``;
- only the headers an operation takes, and the response headers it sends (``ETag``,
  ``Location``, ``Idempotent-Replayed``, ``Retry-After``, ``WWW-Authenticate``);
- integer path ids; a description for integrators where the view gives none;
- the fields only the integration user may write, marked ``x-integration-only``.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from orders import signals
from orders.api.views.base import MAX_ID
from orders.models import SalesOrder
from settings_app.errors import DomainError

# Codes the HTTP layer answers with (DRF's, Django's refusals, and the API's own).
HTTP_CODES = [
    "invalid",
    "parse_error",
    "bad_request",
    "too_many_fields",
    "payload_too_large",
    "headers_too_large",
    "not_authenticated",
    "authentication_failed",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "not_acceptable",
    "unsupported_media_type",
    "throttled",
    "protected",
    "precondition_failed",
    "idempotency_key_reused",
]
# Codes the domain raises by name (``DomainError(..., code=…)``) rather than by a subclass;
# tests/orders/api/test_openapi.py finds every one in the source and wants it here.
RAISED_CODES = [
    "discount_too_large",
    "already_invoiced",
    "change_already_requested",
    "integration_only",
    "invoice_exists",
    "no_change_request",
    "no_opportunity",
    "not_for_integration_user",
    "not_visible",
    "owner_change",
    "owner_role",
    "state_change",
    "unknown_action",
]


def _domain_codes(cls=DomainError) -> list[str]:
    codes = [cls.code]
    for subclass in cls.__subclasses__():
        codes += _domain_codes(subclass)
    return codes


def error_codes() -> list[str]:
    """Every ``code`` an error body can carry."""
    return sorted({*HTTP_CODES, *RAISED_CODES, *_domain_codes()})


ERROR_CODES = error_codes()


class ErrorCodeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ERROR_CODES, **kwargs)


class ErrorSerializer(serializers.Serializer):
    code = ErrorCodeField(help_text="What went wrong, for programs; stable across releases.")
    detail = serializers.CharField(help_text="What went wrong, for people.")
    fields = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The fields the refusal is about (may be empty).",
    )
    retry_after = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="With `throttled` (429): seconds to wait, as in `Retry-After`.",
    )


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The messages for each field; `non_field_errors` for the request as a whole.",
    )


STATUS_DESCRIPTIONS = {
    400: "Invalid input (`invalid`, with `fields` and `errors`) or a request that could not be "
    "read (`parse_error`, `too_many_fields`, `bad_request`); nothing was changed.",
    401: "No token, or a token that is not valid (`not_authenticated`, `authentication_failed`).",
    403: "Your role lacks the permission, or the domain refuses you "
    "(`permission_denied`, `integration_only`, …).",
    404: "Not found, or not visible to you; for a list, a `cursor` that is not one of ours "
    "(`not_found`).",
    409: "Refused by a business rule (`read_only`, `wrong_state`, `switch_position`, `no_lines`, "
    "`computed_field`, `protected`, …); nothing was changed.",
    412: "`If-Match` does not name the current version (`precondition_failed`).",
    413: "The body is over the size limit (`payload_too_large`).",
    415: "The body is not JSON (`unsupported_media_type`).",
    422: "This `Idempotency-Key` was used for another request (`idempotency_key_reused`).",
    429: "Too many requests (`throttled`); wait `Retry-After` seconds.",
    431: "The request headers are too large (`headers_too_large`).",
}
HEADERS = {
    "ETag": 'The version you read (`W/"7"`); send it back in `If-Match`.',
    "Location": "The address of the record created.",
    "Idempotent-Replayed": "`true` when this is the stored answer to an earlier request with "
    "the same `Idempotency-Key`.",
    "Retry-After": "Seconds to wait before trying again.",
    "WWW-Authenticate": "`Token`: send `Authorization: Token <key>`.",
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='The ETag you read (`W/"7"`); 412 when the record has changed since. `*` or '
    "no header: no check.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Replays the first successful answer for the same key, path and body "
    "(`Idempotent-Replayed: true`); 422 for the same key with another request. Keys are per user.",
)
PATH_IDS = {"id", "document_id", "line_id", "parent_id"}
STANDARD_ACTIONS = {"list", "create", "retrieve", "partial_update", "destroy"}
METHOD_ACTIONS = {
    "GET": "retrieve",
    "POST": "create",
    "PATCH": "partial_update",
    "DELETE": "destroy",
}
INTEGRATION_ONLY_NOTE = (
    "Only the back office's integration user may write this field (403 `integration_only` "
    "for anyone else)."
)
COMPUTED_NOTE = (
    "Computed by the pricing engine: writable only where the skip table keeps amounts as given "
    "(409 `computed_field` otherwise)."
)


def _header(description: str) -> dict:
    return {"schema": {"type": "string"}, "description": description}


class ApiAutoSchema(AutoSchema):
    def _action(self) -> str:
        action = getattr(self.view, "action", None)
        if action:
            return action
        return getattr(self.view, "schema_actions", {}).get(self.method) or METHOD_ACTIONS.get(
            self.method, self.method.lower()
        )

    def get_operation_id(self) -> str:
        tokens = [
            token
            for token in self.path.removeprefix("/api/v1/").strip("/").split("/")
            if token and not token.startswith("{")
        ]
        action = self._action()
        if action not in STANDARD_ACTIONS and tokens and tokens[-1] == action:
            tokens = tokens[:-1]  # an action's own path segment: salesorders/{id}/submit
        return "_".join([*tokens, action]).replace("-", "_")

    def get_description(self) -> str:
        model = self.view.permission_model
        if model is None:
            return ""
        one, many = model._meta.verbose_name, model._meta.verbose_name_plural
        paginated = getattr(self.view, "pagination_class", None) is not None
        return {
            "list": f"The {many} you may see."
            + (
                " A page at a time: follow `next` (an opaque link) until it is null; `limit` "
                "is 1–200."
                if paginated
                else ""
            ),
            "retrieve": f"One {one}, with its `ETag`.",
            "create": f"Create a {one}.",
            "partial_update": f"Change a {one}: send only the fields you change. Read-only fields "
            "sent with their stored value are ignored, with another value they are a 400.",
            "destroy": f"Delete a {one}.",
        }.get(self._action(), "")

    def _takes_if_match(self) -> bool:
        check = getattr(self.view, "takes_if_match", None)
        return bool(check and check(self.method, getattr(self.view, "action", None)))

    def _is_idempotent(self) -> bool:
        handler = getattr(
            self.view, getattr(self.view, "action", None) or self.method.lower(), None
        )
        return bool(getattr(handler, "idempotent", False))

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._takes_if_match():
            parameters.append(IF_MATCH)
        if self._is_idempotent():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        model = getattr(getattr(field.parent, "Meta", None), "model", None)
        if model is SalesOrder and field.field_name in signals.INTEGRATION_ONLY_FIELDS:
            schema["x-integration-only"] = True
            schema["description"] = INTEGRATION_ONLY_NOTE
        elif not field.read_only and field.field_name in {
            *signals.HEADER_TOTALS,
            *signals.LINE_COMPUTED,
        }:
            schema["description"] = COMPUTED_NOTE
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"] in PATH_IDS:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        self._add_errors(operation)
        self._add_response_headers(operation)
        return operation

    def _add_errors(self, operation: dict) -> None:
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        invalid = self.resolve_serializer(ValidationErrorSerializer, "response").ref
        has_body = "requestBody" in operation
        has_query = any(p["in"] == "query" for p in operation.get("parameters", []))
        statuses = {400, 401, 403, 429, 431}
        paginated = getattr(self.view, "pagination_class", None) is not None
        if "{" in self.path or (getattr(self.view, "action", None) == "list" and paginated):
            statuses.add(404)  # a record not found, or a list's cursor that names no page
        if self.method != "GET":
            statuses.add(409)
        if has_body or self.method == "POST":
            statuses |= {413, 415}
        if self._takes_if_match():
            statuses.add(412)
        if self._is_idempotent():
            statuses.add(422)
        responses = operation["responses"]
        for code in sorted(statuses):
            body = invalid if code == 400 and (has_body or has_query) else error
            responses.setdefault(
                str(code),
                {
                    "content": {"application/json": {"schema": body}},
                    "description": STATUS_DESCRIPTIONS[code],
                },
            )
        operation["responses"] = dict(sorted(responses.items()))

    def _add_response_headers(self, operation: dict) -> None:
        action = getattr(self.view, "action", None)
        paginated = action == "list" and getattr(self.view, "pagination_class", None) is not None
        for code, response in operation["responses"].items():
            names = []
            if code.startswith("2"):
                sends_etag = getattr(self.view, "sends_etag", False) and not paginated
                if sends_etag and (self.method != "DELETE" or self.view.etag_on_delete):
                    names.append("ETag")
                if code == "201":
                    names.append("Location")
                if self._is_idempotent():
                    names.append("Idempotent-Replayed")
            elif code == "429":
                names.append("Retry-After")
            elif code == "401":
                names.append("WWW-Authenticate")
            if names:
                response["headers"] = {name: _header(HEADERS[name]) for name in names}


def postprocess(result, generator, request, public):
    """Say how to send the token (clients default to ``Bearer``); add the webhooks."""
    schemes = result.get("components", {}).get("securitySchemes", {})
    if "tokenAuth" in schemes:
        schemes["tokenAuth"]["description"] = (
            "Send `Authorization: Token <key>` — the word `Token`, a space, and the key "
            "(not `Bearer`). Get a key with `python manage.py drf_create_token <username>`."
        )
    add_webhooks(result)
    return result


WEBHOOK_SCHEMAS = Path(settings.BASE_DIR) / "docs" / "schemas" / "webhooks"
WEBHOOK_HEADERS = {
    "webhook-id": "The event's id; the same on every retry, so you can drop duplicates.",
    "webhook-timestamp": "When this attempt was signed (Unix seconds).",
    "webhook-signature": "`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` (Standard Webhooks).",
}


def _component_name(event_type: str, suffix: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[._]", event_type)) + suffix


def _rewrite_refs(node, names: dict[str, str]):
    if isinstance(node, dict):
        return {
            key: (
                f"#/components/schemas/{names[value.removeprefix('#/$defs/')]}"
                if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                else _rewrite_refs(value, names)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, names) for item in node]
    return node


def webhook_payloads() -> dict[str, dict]:
    """Each event type's payload schema, as the repository pins it (the files the payload
    tests validate against): ``{type: JSON Schema}``."""
    return {
        file.name.removesuffix(".json"): json.loads(file.read_text())
        for file in sorted(WEBHOOK_SCHEMAS.glob("*.json"))
    }


def add_webhooks(result: dict) -> None:
    """The ``webhooks`` section (OpenAPI 3.1) and the events feed's ``Event`` as a union
    discriminated by ``type``, built from the payload schemas, so a new event type is in the
    contract as soon as its schema is in the repository."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    event = components.get("Event", {})
    variants, mapping, webhooks = [], {}, {}
    for event_type, payload in webhook_payloads().items():
        defs = payload.pop("$defs", {})
        # Shared definitions (money, a line, …) become one component each; one that differs
        # from a same-named component of another event type gets the event's own name.
        names = {name: f"Webhook{name[0].upper()}{name[1:]}" for name in defs}
        for name, definition in defs.items():
            component = names[name]
            rewritten = _rewrite_refs(definition, names)
            if components.get(component, rewritten) != rewritten:
                names[name] = _component_name(event_type, component)
        for name, component in names.items():
            components[component] = _rewrite_refs(defs[name], names)
        payload = {k: v for k, v in payload.items() if k not in {"$schema", "$id"}}
        data = _component_name(event_type, "Data")
        components[data] = _rewrite_refs(payload, names)
        envelope = _component_name(event_type, "Event")
        properties = dict(event.get("properties", {}))
        properties["type"] = {"type": "string", "const": event_type}
        properties["data"] = {"$ref": f"#/components/schemas/{data}"}
        components[envelope] = {
            "type": "object",
            "description": payload.get("description", ""),
            "properties": properties,
            "required": event.get("required", list(properties)),
        }
        variants.append({"$ref": f"#/components/schemas/{envelope}"})
        mapping[event_type] = f"#/components/schemas/{envelope}"
        body = _component_name(event_type, "Webhook")
        components[body] = {
            "type": "object",
            "description": "The body of the webhook: `type`, `timestamp` and the event's `data`.",
            "properties": {
                "type": {"type": "string", "const": event_type},
                "timestamp": {"type": "string", "format": "date-time"},
                "data": {"$ref": f"#/components/schemas/{data}"},
            },
            "required": ["type", "timestamp", "data"],
        }
        webhooks[event_type] = {
            "post": {
                "operationId": "webhooks_" + re.sub(r"[^a-z]+", "_", event_type),
                "summary": event_type,
                "description": payload.get("description", ""),
                "parameters": [
                    {
                        "in": "header",
                        "name": name,
                        "required": True,
                        "schema": {"type": "string"},
                        "description": text,
                    }
                    for name, text in WEBHOOK_HEADERS.items()
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}
                    },
                },
                "responses": {
                    "2XX": {"description": "Received; any 2xx ends the retries."},
                    "default": {"description": "Anything else is retried with backoff."},
                },
            }
        }
    if event:
        components["Event"] = {
            "description": "One event of the feed; `data` is the payload of its `type`.",
            "oneOf": variants,
            "discriminator": {"propertyName": "type", "mapping": mapping},
        }
    result["webhooks"] = webhooks

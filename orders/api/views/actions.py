"""The document actions as API endpoints: ``POST /<documents>/{id}/<action>``.

``document_action`` makes one endpoint per action of ``orders.services.TRANSITIONS``: it parses
the body (a status reason, or a reject's reason), runs the service through the viewset's
``run_action``, and describes the action's guard in the OpenAPI schema from the same data the
domain checks.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from orders import lifecycle, services
from orders.api.idempotency import idempotent
from orders.api.serializers import (
    DETAIL_SERIALIZERS,
    RejectInput,
    recalculated_serializer,
    status_reasons,
)
from orders.models import DOCUMENT_MODELS

_REASON_INPUTS: dict[tuple[str, ...], type[serializers.Serializer]] = {}
_REASON_INPUT_NAMES = {
    ("complete", "partial"): "CompletionInput",
    ("canceled", "out_sold"): "LostInput",
    ("lost", "canceled", "revised"): "QuoteCloseInput",
}


def reason_input(choices: list[str]) -> type[serializers.Serializer]:
    """The body of an action that takes ``{"status_reason": …}``, one class per choice set."""
    key = tuple(choices)
    if key not in _REASON_INPUTS:
        _REASON_INPUTS[key] = type(
            _REASON_INPUT_NAMES.get(key, "StatusReasonInput"),
            (serializers.Serializer,),
            {"status_reason": serializers.ChoiceField(choices=choices)},
        )
    return _REASON_INPUTS[key]


def action_description(kind: str, name: str) -> str:
    """The action's guard in words, from the same data the domain checks (TRANSITIONS)."""
    guard = services.TRANSITIONS[(kind, name)]
    label = DOCUMENT_MODELS[kind]._meta.verbose_name
    parts = [f"Allowed while the {label} is {' or '.join(sorted(guard.from_states))}."]
    if guard.switch is True:
        parts.append("Only while the back-office integration is on.")
    if guard.switch is False:
        parts.append("Only while the back-office integration is off.")
    if guard.needs_lines:
        parts.append("Needs at least one product line.")
    if guard.needs_editable:
        parts.append("The document must be editable for you (read-only rule).")
    if guard.integration_only:
        parts.append("Integration users only.")
    if guard.not_integration:
        parts.append("Not for integration users: the back office answers it.")
    if guard.no_active_invoice:
        parts.append("Refused (`already_invoiced`) while the order has an invoice not canceled.")
    if guard.open_change_request is True:
        parts.append("Needs an open change request (`no_change_request`).")
    if guard.open_change_request is False:
        parts.append("Refused while a change request is open (`change_already_requested`).")
    parts.append(
        f"Needs the permission `{guard.perm}`. A refusal is a 409 with a `code` (403 when "
        "your role may not)."
    )
    return " ".join(parts)


def document_action(
    kind: str,
    name: str,
    service: str,
    *,
    creates: bool = False,
    reasons_of: str | None = None,
    reject: bool = False,
    body: type[serializers.Serializer] | None = None,
    summary: str = "",
):
    """One ``POST /<documents>/{id}/<name>`` that calls ``orders.services.<service>``."""
    if reasons_of:
        input_class = reason_input(status_reasons(kind, reasons_of))
    elif reject:
        input_class = RejectInput
    else:
        input_class = body
    response_class = DETAIL_SERIALIZERS[kind]
    if name == "recalculate":
        response_class = recalculated_serializer(kind)

    def handler(self, request, pk=None):
        arguments = {}
        if input_class is not None:
            serializer = input_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            arguments = dict(serializer.validated_data)
        return self.run_action(request, service, arguments, creates=creates)

    handler.__name__ = name
    created_kind = {
        "create_quote": lifecycle.QUOTE,
        "create_order": lifecycle.SALES_ORDER,
        "create_invoice": lifecycle.INVOICE,
        "revise": lifecycle.QUOTE,
    }.get(name)
    responses = {200: response_class}
    if created_kind:
        responses = {201: DETAIL_SERIALIZERS[created_kind]}
    schema = extend_schema(
        summary=summary or name.replace("_", " ").capitalize(),
        description=action_description(kind, name),
        request=input_class,
        responses=responses,
    )
    return schema(action(detail=True, methods=["post"], url_path=name)(idempotent(handler)))

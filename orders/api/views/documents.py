"""Opportunities, quotes, sales orders and invoices, their lines and their actions.

Each view translates: it parses and shape-checks the input with a serializer, finds the record
among those the user may see (404 otherwise), and calls the one service that does the work —
``orders.services.documents`` for writes, ``orders.services`` (``perform``) for actions. The
services decide every rule; their refusals come back through ``orders.api.errors``.
"""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orders import lifecycle, selectors, services
from orders.api import conditional
from orders.api.idempotency import idempotent
from orders.api.pagination import ApiCursorPagination
from orders.api.permissions import model_perm
from orders.api.serializers import (
    DETAIL_SERIALIZERS,
    LINE_SERIALIZERS,
    SERIALIZERS,
    RejectInput,
    status_reasons,
)
from orders.api.views.base import ApiViewMixin, parse_id
from orders.models import DOCUMENT_MODELS, LINE_MODELS
from orders.services import documents

ERROR_RESPONSES = {
    400: OpenApiResponse(description="Invalid input, with field errors; nothing was changed."),
    403: OpenApiResponse(description="The role lacks the permission."),
    404: OpenApiResponse(description="Not found, or not visible to you."),
    409: OpenApiResponse(
        description="Refused by a business rule (read-only, wrong state, switch position, "
        "computed field); the body has a machine-readable `code` and a message."
    ),
    412: OpenApiResponse(description="`If-Match` does not match the current version."),
    422: OpenApiResponse(description="`Idempotency-Key` reused with a different request."),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='The ETag you read (`W/"<version>"`); 412 when the record has changed since.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Replays the first response for the same key and body; 422 for another body.",
)


def visible_documents(user, kind: str):
    """The documents of ``kind`` the user may see (the domain's selector)."""
    return selectors.documents_for(user, kind)


def detail_url(request, document) -> str:
    return request.build_absolute_uri(reverse(f"api-{document.KIND}-detail", args=[document.pk]))


def with_etag(response: Response, document) -> Response:
    response["ETag"] = conditional.etag(document.version)
    return response


class DocumentListQuery(serializers.Serializer):
    """The list filters; a naive ``modified_after`` is taken as UTC."""

    state = serializers.CharField(required=False)
    modified_after = serializers.DateTimeField(required=False)

    def validate_state(self, value):
        states = lifecycle.LIFECYCLE[self.context["kind"]]
        if value not in states:
            raise serializers.ValidationError(
                f"Not a state of this document: use {', '.join(states)}."
            )
        return value


class DocumentViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """List, create, read, change and delete documents of one ``kind``."""

    kind: str = ""
    pagination_class = ApiCursorPagination
    lookup_value_regex = r"[0-9]+"

    @property
    def permission_model(self):
        return DOCUMENT_MODELS[self.kind]

    def required_permissions(self, request) -> list[str]:
        if self.action in {"list", "retrieve"} or request.method in {"GET", "HEAD", "OPTIONS"}:
            return [model_perm(self.permission_model, "view")]
        if self.action in {"create", "partial_update", "destroy"}:
            return super().required_permissions(request)
        # Actions need the document's change permission; who may do which transition beyond
        # that (fulfil, cancel, reject, submit) is the transition service's decision.
        return [
            model_perm(self.permission_model, "view"),
            model_perm(self.permission_model, "change"),
        ]

    def get_serializer_class(self):
        if self.action == "list":
            return SERIALIZERS[self.kind]
        return DETAIL_SERIALIZERS[self.kind]

    def get_queryset(self):
        return visible_documents(self.request.user, self.kind)

    def filter_list(self, queryset):
        query = DocumentListQuery(data=self.request.query_params, context={"kind": self.kind})
        query.is_valid(raise_exception=True)
        if "state" in query.validated_data:
            queryset = queryset.filter(state=query.validated_data["state"])
        if "modified_after" in query.validated_data:
            queryset = queryset.filter(modified_on__gt=query.validated_data["modified_after"])
        return queryset

    def get_object(self, *, lines: bool = True):
        pk = parse_id(self.kwargs.get("pk"))
        if pk is None:
            raise Http404
        queryset = self.get_queryset().filter(pk=pk)
        if lines:
            queryset = queryset.prefetch_related("lines")
        document = queryset.first()
        if document is None:
            raise Http404
        return document

    def document_response(self, document, *, status_code=status.HTTP_200_OK) -> Response:
        """The single-record representation, read fresh from the database after a write."""
        fresh = (
            DOCUMENT_MODELS[document.KIND]
            .objects.select_related("currency")
            .prefetch_related("lines")
            .get(pk=document.pk)
        )
        data = DETAIL_SERIALIZERS[fresh.KIND](fresh, context=self.get_serializer_context()).data
        return with_etag(Response(data, status=status_code), fresh)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_list(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        document = self.get_object()
        return with_etag(Response(self.get_serializer(document).data), document)

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = documents.document_create(
            actor=request.user, kind=self.kind, **serializer.validated_data
        )
        response = self.document_response(document, status_code=status.HTTP_201_CREATED)
        response["Location"] = detail_url(request, document)
        return response

    def partial_update(self, request, *args, **kwargs):
        document = self.get_object(lines=False)
        serializer = self.get_serializer(document, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        document = documents.document_update(
            actor=request.user,
            document=document,
            expected_version=conditional.expected_version(request, document.version),
            **serializer.validated_data,
        )
        return self.document_response(document)

    def destroy(self, request, *args, **kwargs):
        document = self.get_object(lines=False)
        documents.document_delete(
            actor=request.user,
            document=document,
            expected_version=conditional.expected_version(request, document.version),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def run_action(self, request, service: str, arguments: dict, *, creates: bool) -> Response:
        document = self.get_object(lines=False)
        result = getattr(services, service)(
            actor=request.user,
            document=document,
            expected_version=conditional.expected_version(request, document.version),
            **arguments,
        )
        result = result if result is not None else document
        if creates and (type(result) is not type(document) or result.pk != document.pk):
            response = self.document_response(result, status_code=status.HTTP_201_CREATED)
            response["Location"] = detail_url(request, result)
            return response
        return self.document_response(result)


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
    parts.append(f"Permission: `{guard.perm}`. Refusals are 409 with a `code` (403 for roles).")
    return " ".join(parts)


def document_action(
    kind: str,
    name: str,
    service: str,
    *,
    creates: bool = False,
    reasons_of: str | None = None,
    reject: bool = False,
    summary: str = "",
):
    """One ``POST /<documents>/{id}/<name>`` that calls ``orders.services.<service>``."""
    if reasons_of:
        input_class = reason_input(status_reasons(kind, reasons_of))
    elif reject:
        input_class = RejectInput
    else:
        input_class = None
    response_class = DETAIL_SERIALIZERS[kind]

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
    responses = {200: response_class, **ERROR_RESPONSES}
    if created_kind:
        responses = {201: DETAIL_SERIALIZERS[created_kind], **ERROR_RESPONSES}
    schema = extend_schema(
        summary=summary or name.replace("_", " ").capitalize(),
        description=action_description(kind, name),
        request=input_class,
        responses=responses,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        operation_id=f"{kind}_{name}",
    )
    return schema(action(detail=True, methods=["post"], url_path=name)(idempotent(handler)))


PATHS = {
    lifecycle.OPPORTUNITY: "opportunities",
    lifecycle.QUOTE: "quotes",
    lifecycle.SALES_ORDER: "salesorders",
    lifecycle.INVOICE: "invoices",
}
DOCUMENT_PARAMETERS = [
    OpenApiParameter("state", str, description="Only documents in this state."),
    OpenApiParameter(
        "modified_after",
        OpenApiTypes.DATETIME,
        description="Only documents modified after this moment (ISO 8601).",
    ),
]


def _document_schema(kind: str):
    detail = DETAIL_SERIALIZERS[kind]
    return {
        "list": extend_schema(parameters=DOCUMENT_PARAMETERS, operation_id=f"{kind}_list"),
        "retrieve": extend_schema(
            responses={200: detail, 404: ERROR_RESPONSES[404]}, operation_id=f"{kind}_retrieve"
        ),
        "create": extend_schema(
            request=SERIALIZERS[kind],
            responses={201: detail, **ERROR_RESPONSES},
            parameters=[IDEMPOTENCY_KEY],
            operation_id=f"{kind}_create",
        ),
        "partial_update": extend_schema(
            request=SERIALIZERS[kind],
            responses={200: detail, **ERROR_RESPONSES},
            parameters=[IF_MATCH],
            operation_id=f"{kind}_partial_update",
        ),
        "destroy": extend_schema(
            responses={204: None, **ERROR_RESPONSES},
            parameters=[IF_MATCH],
            operation_id=f"{kind}_destroy",
        ),
    }


def _apply_schema(viewset):
    from drf_spectacular.utils import extend_schema_view

    return extend_schema_view(**_document_schema(viewset.kind))(viewset)


@_apply_schema
class OpportunityViewSet(DocumentViewSet):
    kind = lifecycle.OPPORTUNITY
    create_quote = document_action(kind, "create_quote", "opportunity_create_quote", creates=True)
    win = document_action(kind, "win", "opportunity_win", summary="Close as won")
    lose = document_action(
        kind, "lose", "opportunity_lose", reasons_of="lost", summary="Close as lost"
    )
    reopen = document_action(kind, "reopen", "opportunity_reopen")
    recalculate = document_action(kind, "recalculate", "document_recalculate")


@_apply_schema
class QuoteViewSet(DocumentViewSet):
    kind = lifecycle.QUOTE
    activate = document_action(kind, "activate", "quote_activate")
    revise = document_action(kind, "revise", "quote_revise", creates=True)
    close = document_action(kind, "close", "quote_close", reasons_of="closed")
    create_order = document_action(kind, "create_order", "quote_create_order", creates=True)
    get_products = document_action(
        kind, "get_products", "quote_get_products", summary="Get products from the opportunity"
    )
    recalculate = document_action(kind, "recalculate", "document_recalculate")


@_apply_schema
class SalesOrderViewSet(DocumentViewSet):
    kind = lifecycle.SALES_ORDER
    submit = document_action(kind, "submit", "salesorder_submit", summary="Submit to back office")
    create_invoice = document_action(
        kind, "create_invoice", "salesorder_create_invoice", creates=True
    )
    fulfill = document_action(kind, "fulfill", "salesorder_fulfill", reasons_of="fulfilled")
    cancel = document_action(kind, "cancel", "salesorder_cancel")
    reject = document_action(
        kind, "reject", "salesorder_reject", reject=True, summary="Reject (integration users)"
    )
    recalculate = document_action(kind, "recalculate", "document_recalculate")
    lock_pricing = document_action(kind, "lock_pricing", "document_lock_pricing")
    unlock_pricing = document_action(
        kind, "unlock_pricing", "document_unlock_pricing", summary="Use current pricing"
    )


@_apply_schema
class InvoiceViewSet(DocumentViewSet):
    kind = lifecycle.INVOICE
    mark_paid = document_action(kind, "mark_paid", "invoice_mark_paid", reasons_of="paid")
    cancel = document_action(kind, "cancel", "invoice_cancel")
    recalculate = document_action(kind, "recalculate", "document_recalculate")
    lock_pricing = document_action(kind, "lock_pricing", "document_lock_pricing")
    unlock_pricing = document_action(
        kind, "unlock_pricing", "document_unlock_pricing", summary="Use current pricing"
    )


DOCUMENT_VIEWSETS = {
    lifecycle.OPPORTUNITY: OpportunityViewSet,
    lifecycle.QUOTE: QuoteViewSet,
    lifecycle.SALES_ORDER: SalesOrderViewSet,
    lifecycle.INVOICE: InvoiceViewSet,
}


# --- lines --------------------------------------------------------------------------------

DOCUMENT_ID = OpenApiParameter("document_id", int, OpenApiParameter.PATH)
LINE_ID = OpenApiParameter("line_id", int, OpenApiParameter.PATH)


class LineViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """``/<documents>/{document_id}/lines`` and ``…/lines/{line_id}``.

    Reading needs the document's and the line's view permissions; writing the line model's
    add / change / delete permission. ``If-Match`` carries the document's version (a line
    belongs to its document's version).
    """

    kind: str = ""
    pagination_class = None

    @property
    def permission_model(self):
        return LINE_MODELS[self.kind]

    def required_permissions(self, request) -> list[str]:
        return [
            model_perm(DOCUMENT_MODELS[self.kind], "view"),
            *super().required_permissions(request),
        ]

    def get_serializer_class(self):
        return LINE_SERIALIZERS[self.kind]

    def document(self):
        if not hasattr(self, "_document"):
            pk = parse_id(self.kwargs.get("document_id"))
            found = (
                visible_documents(self.request.user, self.kind).filter(pk=pk).first()
                if pk
                else None
            )
            if found is None:
                raise Http404
            self._document = found
        return self._document

    def get_queryset(self):
        return LINE_MODELS[self.kind].objects.filter(document=self.document())

    def get_object(self):
        pk = parse_id(self.kwargs.get("line_id"))
        line = self.get_queryset().filter(pk=pk).first() if pk else None
        if line is None:
            raise Http404
        line.document = self.document()
        return line

    def line_response(self, line, *, status_code=status.HTTP_200_OK) -> Response:
        fresh = LINE_MODELS[self.kind].objects.get(pk=line.pk)
        version = (
            DOCUMENT_MODELS[self.kind]
            .objects.values_list("version", flat=True)
            .get(pk=fresh.document_id)
        )
        response = Response(self.get_serializer(fresh).data, status=status_code)
        response["ETag"] = conditional.etag(version)
        return response

    def list(self, request, *args, **kwargs):
        document = self.document()
        response = Response(self.get_serializer(self.get_queryset(), many=True).data)
        return with_etag(response, document)

    def retrieve(self, request, *args, **kwargs):
        line = self.get_object()
        return with_etag(Response(self.get_serializer(line).data), self.document())

    @idempotent
    def create(self, request, *args, **kwargs):
        document = self.document()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = documents.line_add(
            actor=request.user,
            document=document,
            expected_version=conditional.expected_version(request, document.version),
            **serializer.validated_data,
        )
        response = self.line_response(line, status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse(f"api-{self.kind}line-detail", args=[document.pk, line.pk])
        )
        return response

    def partial_update(self, request, *args, **kwargs):
        line = self.get_object()
        serializer = self.get_serializer(line, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        line = documents.line_update(
            actor=request.user,
            line=line,
            expected_version=conditional.expected_version(request, line.document.version),
            **serializer.validated_data,
        )
        return self.line_response(line)

    def destroy(self, request, *args, **kwargs):
        line = self.get_object()
        documents.line_delete(
            actor=request.user,
            line=line,
            expected_version=conditional.expected_version(request, line.document.version),
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        # The document changed with its line: its new ETag, for the next If-Match.
        version = (
            DOCUMENT_MODELS[self.kind]
            .objects.values_list("version", flat=True)
            .get(pk=line.document_id)
        )
        response["ETag"] = conditional.etag(version)
        return response


def _line_schema(kind: str):
    line = LINE_SERIALIZERS[kind]
    params = [DOCUMENT_ID]
    return {
        "list": extend_schema(parameters=params, operation_id=f"{kind}_lines_list"),
        "retrieve": extend_schema(
            parameters=[*params, LINE_ID], operation_id=f"{kind}_lines_retrieve"
        ),
        "create": extend_schema(
            parameters=[*params, IF_MATCH, IDEMPOTENCY_KEY],
            request=line,
            responses={201: line, **ERROR_RESPONSES},
            operation_id=f"{kind}_lines_create",
        ),
        "partial_update": extend_schema(
            parameters=[*params, LINE_ID, IF_MATCH],
            request=line,
            responses={200: line, **ERROR_RESPONSES},
            operation_id=f"{kind}_lines_partial_update",
        ),
        "destroy": extend_schema(
            parameters=[*params, LINE_ID, IF_MATCH],
            responses={204: None, **ERROR_RESPONSES},
            operation_id=f"{kind}_lines_destroy",
        ),
    }


def _line_viewset(kind: str):
    from drf_spectacular.utils import extend_schema_view

    model = LINE_MODELS[kind]
    viewset = type(f"{model.__name__}ViewSet", (LineViewSet,), {"kind": kind})
    return extend_schema_view(**_line_schema(kind))(viewset)


LINE_VIEWSETS = {kind: _line_viewset(kind) for kind in lifecycle.KINDS}

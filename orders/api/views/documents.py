"""Opportunities, quotes, sales orders and invoices: list, create, read, change, delete, and
their actions (``orders.api.views.actions``); their lines are ``orders.api.views.lines``.

Each view translates: it parses and shape-checks the input with a serializer, finds the record
among those the user may see (404 otherwise), and calls the one service that does the work —
``orders.services.documents`` for writes, ``orders.services`` (``perform``) for actions. The
services decide every rule; their refusals come back through ``orders.api.errors``.
"""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from orders import lifecycle, services
from orders.api import conditional
from orders.api.idempotency import idempotent
from orders.api.pagination import ApiCursorPagination
from orders.api.permissions import model_perm
from orders.api.serializers import (
    DETAIL_SERIALIZERS,
    SERIALIZERS,
    CreateInvoiceInput,
    DeclineChangeInput,
    RequestChangeInput,
)
from orders.api.views.actions import document_action
from orders.api.views.base import (
    ApiViewMixin,
    parse_id,
    visible_documents,
    with_etag,
)
from orders.models import DOCUMENT_MODELS
from orders.selectors import with_line_sums
from orders.services import documents


def detail_url(request, document) -> str:
    return request.build_absolute_uri(reverse(f"api-{document.KIND}-detail", args=[document.pk]))


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
    # List, create, read, change and delete documents of one ``kind``, and run their actions.

    kind: str = ""
    pagination_class = ApiCursorPagination
    lookup_value_regex = r"[0-9]+"
    sends_etag = True

    def takes_if_match(self, method: str, action: str | None) -> bool:
        # PATCH, DELETE and every action; a create has no version to compare yet.
        return method in {"PATCH", "DELETE"} or (method == "POST" and action != "create")

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
        # the sums of the lines ride along, so ``totals_match`` costs no query per document
        return with_line_sums(visible_documents(self.request.user, self.kind), self.kind)

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
            with_line_sums(DOCUMENT_MODELS[document.KIND].objects, document.KIND)
            .select_related("currency")
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
        response = self.document_response(result)
        skipped = getattr(result, "recalculation_skipped", None)
        if skipped is not None:  # Recalculate: whether it ran, and if not why
            response.data["recalculation"] = {"ran": not skipped, "skipped_because": skipped}
        return response


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
        "list": extend_schema(parameters=DOCUMENT_PARAMETERS),
        "retrieve": extend_schema(responses=detail),
        "create": extend_schema(request=SERIALIZERS[kind], responses={201: detail}),
        "partial_update": extend_schema(request=SERIALIZERS[kind], responses=detail),
        "destroy": extend_schema(responses={204: None}),
    }


def _apply_schema(viewset):
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
        kind, "create_invoice", "salesorder_create_invoice", creates=True, body=CreateInvoiceInput
    )
    fulfill = document_action(kind, "fulfill", "salesorder_fulfill", reasons_of="fulfilled")
    cancel = document_action(kind, "cancel", "salesorder_cancel")
    reject = document_action(
        kind, "reject", "salesorder_reject", reject=True, summary="Reject (integration users)"
    )
    request_change = document_action(
        kind,
        "request_change",
        "salesorder_request_change",
        body=RequestChangeInput,
        summary="Request a change to a submitted order",
    )
    decline_change = document_action(
        kind,
        "decline_change",
        "salesorder_decline_change",
        body=DeclineChangeInput,
        summary="Decline the open change request (integration users)",
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

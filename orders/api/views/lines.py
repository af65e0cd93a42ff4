"""A document's lines: ``/<documents>/{document_id}/lines`` and ``…/lines/{line_id}``."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from orders import lifecycle
from orders.api import conditional
from orders.api.idempotency import idempotent
from orders.api.permissions import model_perm
from orders.api.serializers import (
    LINE_REMOVED_SERIALIZERS,
    LINE_SERIALIZERS,
    LINE_WRITTEN_SERIALIZERS,
)
from orders.api.views.base import (
    ApiViewMixin,
    parse_id,
    visible_documents,
    with_etag,
)
from orders.models import DOCUMENT_MODELS, LINE_MODELS
from orders.services import documents

DOCUMENT_ID = OpenApiParameter("document_id", int, OpenApiParameter.PATH)
LINE_ID = OpenApiParameter("line_id", int, OpenApiParameter.PATH)


class LineViewSet(ApiViewMixin, viewsets.GenericViewSet):
    # ``/<documents>/{document_id}/lines`` and ``…/lines/{line_id}``. Reading needs the
    # document's and the line's view permissions; writing the line model's add / change /
    # delete permission. ``If-Match`` carries the document's version (a line belongs to its
    # document's version).

    kind: str = ""
    pagination_class = None
    sends_etag = True
    etag_on_delete = True

    def takes_if_match(self, method: str, action: str | None) -> bool:
        return method in {"POST", "PATCH", "DELETE"}

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

    def written(self, document_id: int):
        """The document after a line write, read fresh (its totals, version, and whether they
        match the lines): what a write answers with, rather than the whole order."""
        return DOCUMENT_MODELS[self.kind].objects.select_related("currency").get(pk=document_id)

    def line_response(self, line, *, status_code=status.HTTP_200_OK) -> Response:
        fresh = LINE_MODELS[self.kind].objects.get(pk=line.pk)
        fresh.document = self.written(fresh.document_id)
        data = LINE_WRITTEN_SERIALIZERS[self.kind](fresh, context=self.get_serializer_context())
        response = Response(data.data, status=status_code)
        response["ETag"] = conditional.etag(fresh.document.version)
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
        document = self.written(line.document_id)
        removed = {"id": line.pk, "line_number": line.line_number, "document": document}
        data = LINE_REMOVED_SERIALIZERS[self.kind](removed, context=self.get_serializer_context())
        response = Response(data.data)
        # The document changed with its line: its new ETag, for the next If-Match.
        response["ETag"] = conditional.etag(document.version)
        return response


def _line_schema(kind: str):
    line = LINE_SERIALIZERS[kind]
    params = [DOCUMENT_ID]
    return {
        "list": extend_schema(parameters=params),
        "retrieve": extend_schema(parameters=[*params, LINE_ID]),
        "create": extend_schema(
            parameters=params, request=line, responses={201: LINE_WRITTEN_SERIALIZERS[kind]}
        ),
        "partial_update": extend_schema(
            parameters=[*params, LINE_ID],
            request=line,
            responses={200: LINE_WRITTEN_SERIALIZERS[kind]},
        ),
        "destroy": extend_schema(
            parameters=[*params, LINE_ID], responses={200: LINE_REMOVED_SERIALIZERS[kind]}
        ),
    }


def _line_viewset(kind: str):
    model = LINE_MODELS[kind]
    viewset = type(f"{model.__name__}ViewSet", (LineViewSet,), {"kind": kind})
    return extend_schema_view(**_line_schema(kind))(viewset)


LINE_VIEWSETS = {kind: _line_viewset(kind) for kind in lifecycle.KINDS}

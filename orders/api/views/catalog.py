"""The catalog: currencies, unit groups and units, products, price lists with their items,
discount lists with their bands, accounts. Reading needs the view permission, writing the add /
change / delete permission of the model. Rows are validated with ``full_clean`` (the models'
own ``clean`` rules), so a bad row is a 400 with field errors and nothing is saved.

A row has no version: its ETag is the digest of what GET shows, and ``PATCH``/``DELETE`` with
an ``If-Match`` compare it under the row's lock (412 when it has changed since it was read).
"""

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orders.api import conditional
from orders.api.idempotency import idempotent
from orders.api.pagination import IdCursorPagination
from orders.api.permissions import model_perm
from orders.api.serializers import (
    AccountSerializer,
    CurrencySerializer,
    DiscountBandSerializer,
    DiscountListSerializer,
    PriceListItemSerializer,
    PriceListSerializer,
    ProductSerializer,
    RepriceImpactSerializer,
    UnitGroupSerializer,
    UnitSerializer,
)
from orders.api.views.base import ApiViewMixin, parse_id
from orders.models import (
    Account,
    Currency,
    DiscountBand,
    DiscountList,
    PriceList,
    PriceListItem,
    Product,
    Unit,
    UnitGroup,
)
from orders.services.pricing import pricelistitem_impact


class CatalogViewSet(ApiViewMixin, viewsets.ModelViewSet):
    pagination_class = IdCursorPagination
    lookup_value_regex = r"[0-9]+"
    sends_etag = True

    def get_queryset(self):
        return self.permission_model.objects.all()

    def get_object(self):
        pk = parse_id(self.kwargs.get(self.lookup_field))
        obj = self.get_queryset().filter(pk=pk).first() if pk else None
        if obj is None:
            raise Http404
        return obj

    def parent_values(self) -> dict:
        return {}

    def with_etag(self, response):
        if response.status_code < 300 and isinstance(response.data, dict):
            response["ETag"] = conditional.representation_etag(response.data)
        return response

    def check_if_match(self, request) -> None:
        """Lock the row and compare ``If-Match`` with what GET would show now."""
        if request.headers.get("If-Match") is None:
            return
        pk = parse_id(self.kwargs.get(self.lookup_field))
        row = self.get_queryset().select_for_update().filter(pk=pk).first() if pk else None
        if row is None:
            raise Http404
        conditional.check_representation(request, self.get_serializer(row).data)

    def retrieve(self, request, *args, **kwargs):
        return self.with_etag(super().retrieve(request, *args, **kwargs))

    @idempotent
    def create(self, request, *args, **kwargs):
        return self.with_etag(super().create(request, *args, **kwargs))

    def partial_update(self, request, *args, **kwargs):
        with transaction.atomic():
            self.check_if_match(request)
            response = super().partial_update(request, *args, **kwargs)
        return self.with_etag(response)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            self.check_if_match(request)
            return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer):
        instance = self.permission_model(**serializer.validated_data, **self.parent_values())
        self._clean_and_save(instance)
        serializer.instance = instance

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        self._clean_and_save(instance)

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()

    @staticmethod
    def _clean_and_save(instance):
        with transaction.atomic():
            instance.full_clean()
            instance.save()


class CurrencyViewSet(CatalogViewSet):
    permission_model = Currency
    serializer_class = CurrencySerializer


class UnitGroupViewSet(CatalogViewSet):
    permission_model = UnitGroup
    serializer_class = UnitGroupSerializer


class UnitViewSet(CatalogViewSet):
    permission_model = Unit
    serializer_class = UnitSerializer


class ProductViewSet(CatalogViewSet):
    permission_model = Product
    serializer_class = ProductSerializer


class PriceListViewSet(CatalogViewSet):
    permission_model = PriceList
    serializer_class = PriceListSerializer

    def get_queryset(self):
        return PriceList.objects.prefetch_related("items")


class DiscountListViewSet(CatalogViewSet):
    permission_model = DiscountList
    serializer_class = DiscountListSerializer

    def get_queryset(self):
        return DiscountList.objects.prefetch_related("bands")


class AccountViewSet(CatalogViewSet):
    permission_model = Account
    serializer_class = AccountSerializer


PARENT_ID = OpenApiParameter("parent_id", int, OpenApiParameter.PATH)


class NestedCatalogViewSet(CatalogViewSet):
    """Rows that live inside a parent (a price list's items, a discount list's bands)."""

    parent_model = None
    parent_field = ""

    def parent(self):
        if not hasattr(self, "_parent"):
            pk = parse_id(self.kwargs.get("parent_id"))
            self._parent = self.parent_model.objects.filter(pk=pk).first() if pk else None
            if self._parent is None:
                raise Http404
        return self._parent

    def get_queryset(self):
        return self.permission_model.objects.filter(**{self.parent_field: self.parent()})

    def parent_values(self) -> dict:
        return {self.parent_field: self.parent()}


IMPACT_DESCRIPTION = (
    "What saving the item with these changes would re-price: the open, unlocked sales orders "
    "and invoices carrying its product, each with its total before and after, and the total "
    "change. Nothing is saved; send the same body with `PATCH` to save (it re-prices them)."
)


@extend_schema_view(
    list=extend_schema(parameters=[PARENT_ID]),
    create=extend_schema(parameters=[PARENT_ID]),
    retrieve=extend_schema(parameters=[PARENT_ID]),
    partial_update=extend_schema(parameters=[PARENT_ID]),
    destroy=extend_schema(parameters=[PARENT_ID]),
)
class PriceListItemViewSet(NestedCatalogViewSet):
    """``POST …/items/{id}/impact`` with the body a ``PATCH`` would send answers what the
    change would re-price, saving nothing; the ``PATCH`` itself saves and re-prices (a program
    that sends it has decided). docs/api.md#catalog-changes."""

    permission_model = PriceListItem
    serializer_class = PriceListItemSerializer
    parent_model = PriceList
    parent_field = "price_list"

    def required_permissions(self, request) -> list[str]:
        if self.action == "impact":
            return [model_perm(PriceListItem, "change")]
        return super().required_permissions(request)

    def takes_if_match(self, method: str, action: str | None) -> bool:
        return action != "impact" and super().takes_if_match(method, action)

    @extend_schema(
        parameters=[PARENT_ID],
        request=PriceListItemSerializer,
        responses={200: RepriceImpactSerializer},
        summary="What a change of the item would re-price",
        description=IMPACT_DESCRIPTION,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def impact(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(item, name, value)
        item.full_clean()
        impact = pricelistitem_impact(actor=request.user, item=item)
        return Response(RepriceImpactSerializer(impact).data)


@extend_schema_view(
    list=extend_schema(parameters=[PARENT_ID]),
    create=extend_schema(parameters=[PARENT_ID]),
    retrieve=extend_schema(parameters=[PARENT_ID]),
    partial_update=extend_schema(parameters=[PARENT_ID]),
    destroy=extend_schema(parameters=[PARENT_ID]),
)
class DiscountBandViewSet(NestedCatalogViewSet):
    permission_model = DiscountBand
    serializer_class = DiscountBandSerializer
    parent_model = DiscountList
    parent_field = "discount_list"

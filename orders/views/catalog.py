"""Catalog pages: products and price lists (read for sales staff)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from orders.models import PriceList, Product

PAGE_SIZE = 50


@login_required
@permission_required("orders.view_product", raise_exception=True)
def product_list(request):
    query = request.GET.get("q", "").strip()[:100]
    products = Product.objects.select_related("unit_group", "default_unit").order_by("number")
    if query:
        products = products.filter(Q(number__icontains=query) | Q(name__icontains=query))
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/product_list.html", {"page": page, "q": query})


@login_required
@permission_required("orders.view_product", raise_exception=True)
def product_detail(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("unit_group", "default_unit"), pk=pk)
    items = product.price_list_items.select_related(
        "price_list__currency", "unit", "discount_list"
    ).order_by("price_list__name", "unit__quantity")
    return render(request, "orders/product_detail.html", {"product": product, "items": items})


@login_required
@permission_required("orders.view_pricelist", raise_exception=True)
def pricelist_list(request):
    price_lists = PriceList.objects.select_related("currency").annotate(item_count=Count("items"))
    return render(request, "orders/pricelist_list.html", {"price_lists": price_lists})


@login_required
@permission_required("orders.view_pricelist", raise_exception=True)
def pricelist_detail(request, pk: int):
    price_list = get_object_or_404(PriceList.objects.select_related("currency"), pk=pk)
    items = price_list.items.select_related("product", "unit", "discount_list").order_by(
        "product__number", "unit__quantity"
    )
    return render(
        request, "orders/pricelist_detail.html", {"price_list": price_list, "items": items}
    )

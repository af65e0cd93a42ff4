"""Catalog pages: products and price lists (read for sales staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from orders.forms import PriceListItemForm
from orders.models import PriceList, PriceListItem, Product
from orders.reports.exports import PRODUCT_COLUMNS, product_rows
from orders.services.pricing import pricelistitem_save
from orders.views.exports import EXPORT_FORMATS, export_response
from settings_app.errors import DomainError

PAGE_SIZE = 50


@login_required
@permission_required("orders.view_product", raise_exception=True)
def product_list(request):
    query = request.GET.get("q", "").strip()[:100]
    products = Product.objects.select_related("unit_group", "default_unit").order_by("number")
    if query:
        products = products.filter(Q(number__icontains=query) | Q(name__icontains=query))
    export = request.GET.get("export", "")
    if export in EXPORT_FORMATS:
        return export_response(export, "products", PRODUCT_COLUMNS, product_rows(products))
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


def _items(price_list):
    return price_list.items.select_related("product", "unit", "discount_list").order_by(
        "product__number", "unit__quantity"
    )


@login_required
@permission_required("orders.view_pricelist", raise_exception=True)
def pricelist_detail(request, pk: int):
    price_list = get_object_or_404(PriceList.objects.select_related("currency"), pk=pk)
    return render(
        request,
        "orders/pricelist_detail.html",
        {
            "price_list": price_list,
            "items": _items(price_list),
            "can_edit_items": request.user.has_perm("orders.change_pricelistitem"),
        },
    )


@login_required
@permission_required("orders.change_pricelistitem", raise_exception=True)
@require_http_methods(["GET", "POST"])
def pricelist_item(request, pk: int, item_id: int):
    """GET: the item's row as a form (htmx) · POST: save its price terms.

    Saving re-prices the open, unlocked orders and invoices that carry the product (a model
    signal of the domain); how many is said in the answer.
    """
    item = get_object_or_404(
        PriceListItem.objects.select_related("price_list__currency", "product", "unit"),
        pk=item_id,
        price_list_id=pk,
    )
    form = PriceListItemForm(request.POST if request.method == "POST" else None, instance=item)
    note, impact = "", None
    if request.method == "POST" and form.is_valid() and not form.has_changed():
        note = f"{item.product.number}: nothing changed."
        if not request.htmx:
            messages.info(request, note)
            return redirect("pricelist_detail", pk=pk)
        form = None
    elif request.method == "POST" and form.is_valid():
        try:
            # docs/rules.md#catalog-changes: a change that re-prices documents asks first
            result = pricelistitem_save(
                actor=request.user, item=item, confirmed=request.POST.get("confirm") == "reprice"
            )
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if not result.saved:
                impact = result
            else:
                note = f"{item.product.number} saved."
                if result.count:
                    note = f"{item.product.number} saved; re-priced {result.words()}."
                if not request.htmx:
                    messages.success(request, note)
                    return redirect("pricelist_detail", pk=pk)
                form = None
    elif request.method == "GET" and not request.htmx:
        return redirect("pricelist_detail", pk=pk)
    if impact is not None and not request.htmx:
        return render(
            request,
            "orders/pricelist_detail.html",
            {
                "price_list": item.price_list,
                "items": _items(item.price_list),
                "can_edit_items": True,
                "editing": item.pk,
                "form": form,
                "impact": impact,
            },
        )
    context = {
        "price_list": item.price_list,
        "item": item,
        "form": form,
        "note": note,
        "impact": impact,
        "editing": item.pk,
        "can_edit_items": True,
    }
    return render(request, "orders/pricelist_detail.html#item_row", context)

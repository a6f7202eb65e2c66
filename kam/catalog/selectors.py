"""Reads of the product catalogue (open to every signed-in person)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from kam.catalog.models import Product


def product_list(*, user, q: str = "", category_id: int | None = None) -> QuerySet[Product]:
    if not user.is_authenticated:
        return Product.objects.none()
    qs = Product.objects.select_related("category")
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    if category_id:
        qs = qs.filter(category_id=category_id)
    return qs.order_by("sku")


def product_get(*, user, pk) -> Product:
    try:
        return product_list(user=user).get(pk=pk)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise Http404("No such product.") from None

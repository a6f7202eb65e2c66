"""HTTP API of the product catalogue (mounted at /api/products in kam/api.py)."""

from ninja import Query, Router
from ninja.pagination import paginate

from kam.catalog import selectors
from kam.catalog.schemas import ProductFilters, ProductOut
from kam.core.schemas import Pages

router = Router()


@router.get("/", response=list[ProductOut], summary="List products")
@paginate(Pages)
def product_list(request, filters: Query[ProductFilters]):
    return selectors.product_list(user=request.auth, q=filters.q, category_id=filters.category_id)


@router.get("/{int:product_id}", response=ProductOut, summary="One product")
def product_detail(request, product_id: int):
    return selectors.product_get(user=request.auth, pk=product_id)

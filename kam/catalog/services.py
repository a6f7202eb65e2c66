"""Writes of the product catalogue; prices and costs are money, so each is audited."""

from typing import Any

from django.db import transaction

from kam.catalog.models import Product, ProductCategory
from kam.core.models import AuditEntry
from kam.core.services import audit_record, model_changes


def category_get_or_create(*, name: str) -> ProductCategory:
    obj, _ = ProductCategory.objects.get_or_create(name=name)
    return obj


@transaction.atomic
def product_create(*, actor, sku: str, name: str, **data: Any) -> Product:
    product = Product(sku=sku, name=name, **data)
    product.full_clean()
    product.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=product, summary=sku)
    return product


@transaction.atomic
def product_update(*, actor, product: Product, **data: Any) -> Product:
    changes = model_changes(product, data)
    if changes:
        product.full_clean()
        product.save()
        audit_record(
            actor=actor, action=AuditEntry.Action.UPDATE, instance=product, changes=changes
        )
    return product

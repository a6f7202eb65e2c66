"""Writes of the product catalogue; prices and costs are money, so each is audited."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.catalog.models import Product, ProductCategory
from kam.core.models import AuditEntry
from kam.core.selectors import company_settings
from kam.core.services import audit_record, audit_records_bulk, model_changes
from kam.org.policy import Action, require


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


# Fields a sales file may give a product it creates (issue 8 §2).
BULK_FIELDS = {"sku", "name", "category", "unit", "is_service"}
_BULK_BATCH = 1000


def _require_import(actor) -> None:
    # Bulk writes of the catalogue come from an import only (``None``: the system).
    if actor is not None:
        require(actor, Action.IMPORT_RUN)


def categories_get_or_create(*, names: Iterable[str]) -> dict[str, int]:
    """Category name -> id for ``names``, creating those that do not exist yet."""
    wanted = sorted({n for n in names if n})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _BULK_BATCH):
        part = wanted[start : start + _BULK_BATCH]
        found.update(ProductCategory.objects.filter(name__in=part).values_list("name", "id"))
    missing = [ProductCategory(name=n) for n in wanted if n not in found]
    for category in missing:
        category.full_clean(validate_unique=False)
    if missing:
        ProductCategory.objects.bulk_create(missing, batch_size=_BULK_BATCH)
        for start in range(0, len(wanted), _BULK_BATCH):
            part = wanted[start : start + _BULK_BATCH]
            found.update(ProductCategory.objects.filter(name__in=part).values_list("name", "id"))
    return found


def _audit_entries(actor, action: str, products: Iterable[tuple[int, str, dict]]) -> None:
    audit_records_bulk(
        actor=actor,
        action=action,
        entity=Product._meta.label_lower,
        records=products,
        batch_size=_BULK_BATCH,
    )


@transaction.atomic
def products_create_bulk(*, actor, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Create the products a sales file names but the catalogue lacks (``--create-missing``,
    issue 8 §2): SKU and name, category (a name, created if new), unit and ``is_service``
    where given; standard cost 0 in the base currency. Returns SKU -> id; each product gets
    its own audit entry. A SKU given twice or already taken refuses the whole batch
    (``ValidationError``), nothing written."""
    _require_import(actor)
    if not rows:
        return {}
    categories = categories_get_or_create(names=(r.get("category") or "" for r in rows))
    currency = company_settings().base_currency
    products: list[Product] = []
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for row in rows:
        unknown = set(row) - BULK_FIELDS
        if unknown:
            raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
        data = dict(row)
        label = data.pop("category", None)
        sku = data.get("sku", "")
        if sku in seen:
            errors.setdefault("sku", []).append(_("SKU %(sku)s is given twice.") % {"sku": sku})
            continue
        seen.add(sku)
        if not data.get("unit"):
            data.pop("unit", None)
        product = Product(
            category_id=categories.get(label) if label else None,
            standard_cost=Decimal(0),
            currency=currency,
            **data,
        )
        try:
            product.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(f"{sku}: {m}" for m in messages)
        products.append(product)
    skus = sorted(seen)
    for start in range(0, len(skus), _BULK_BATCH):
        for sku in Product.objects.filter(sku__in=skus[start : start + _BULK_BATCH]).values_list(
            "sku", flat=True
        ):
            errors.setdefault("sku", []).append(
                _("A product with SKU %(sku)s already exists.") % {"sku": sku}
            )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            Product.objects.bulk_create(products, batch_size=_BULK_BATCH)
    except IntegrityError:
        raise ValidationError(
            {"sku": _("Another product took one of these SKUs meanwhile; run the import again.")}
        ) from None
    ids: dict[str, int] = {}
    for start in range(0, len(skus), _BULK_BATCH):
        ids.update(
            Product.objects.filter(sku__in=skus[start : start + _BULK_BATCH]).values_list(
                "sku", "id"
            )
        )
    _audit_entries(
        actor,
        AuditEntry.Action.CREATE,
        (
            (
                ids[p.sku],
                p.sku,
                {"name": p.name, "is_service": True} if p.is_service else {"name": p.name},
            )
            for p in products
        ),
    )
    return ids


@transaction.atomic
def products_flag_service(*, actor, product_ids: Iterable[int]) -> int:
    """Flag products as service lines (postage, freight: issue 8 §3), e.g. the SKUs a sales
    import lists as services. Each product changed gets an audit entry; returns how many."""
    _require_import(actor)
    ids = sorted(set(product_ids))
    flagged: list[tuple[int, str]] = []
    for start in range(0, len(ids), _BULK_BATCH):
        part = ids[start : start + _BULK_BATCH]
        flagged += Product.objects.filter(pk__in=part, is_service=False).values_list("pk", "sku")
    for start in range(0, len(flagged), _BULK_BATCH):
        part = [pk for pk, _sku in flagged[start : start + _BULK_BATCH]]
        Product.objects.filter(pk__in=part).update(is_service=True, updated_at=timezone.now())
    _audit_entries(
        actor,
        AuditEntry.Action.UPDATE,
        ((pk, sku, {"is_service": [False, True]}) for pk, sku in flagged),
    )
    return len(flagged)

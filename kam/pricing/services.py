"""Writes of price lists, their columns, prices and discount rules (OR-3).

Every write asks the policy for ``Action.PRICE_MANAGE`` (a director or an administrator),
validates with ``kam.core.bounds`` so the pages and the API refuse the same things on the same
field, and is audited (SE-3). ``actor=None`` is the system (the demo, a data migration).

Invariants kept here:

- a price list with columns has exactly one base column: the first column becomes the base,
  making another column the base moves it there, and the base cannot simply be unset;
- the prices of one product in one column never overlap in time: a new price from a day closes
  the previous open-ended price the day before; any other overlap is refused on the field.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kam.catalog.models import Product
from kam.core.bounds import check_amount, check_date, check_text
from kam.core.models import AuditEntry
from kam.core.services import audit_record, model_changes
from kam.org.models import Role
from kam.org.policy import Action, require
from kam.pricing.checks import Problems, check_currency
from kam.pricing.models import DiscountRule, Price, PriceColumn, PriceList

PRICE_PLACES = 4
HUNDRED = Decimal("100")


def _require(actor) -> None:
    """``actor=None`` is the system itself (the demo, a data migration): not asked."""
    if actor is not None:
        require(actor, Action.PRICE_MANAGE)


def _name(value: str | None, *, field: str, problems: Problems, required: bool = True) -> str:
    text = (value or "").strip()
    with problems.check():
        check_text(text, field=field)
    if required and not text:
        problems.add(field, _("This field is required."))
    return text


def _full_clean(obj, problems: Problems) -> None:
    with problems.check():
        obj.full_clean(exclude=list(problems.errors), validate_constraints=False)
    problems.raise_any()


# --- price lists ---------------------------------------------------------------------------------


def _check_price_list(obj: PriceList, problems: Problems) -> None:
    if PriceList.objects.filter(name__iexact=obj.name).exclude(pk=obj.pk).exists():
        problems.add("name", _("Another price list is called %(name)s.") % {"name": obj.name})
    _full_clean(obj, problems)


@transaction.atomic
def price_list_create(
    *, actor, name: str, currency: str = "EUR", is_active: bool = True
) -> PriceList:
    _require(actor)
    problems = Problems()
    obj = PriceList(name=_name(name, field="name", problems=problems), is_active=bool(is_active))
    with problems.check():
        obj.currency = check_currency(currency)
    _check_price_list(obj, problems)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:  # another writer took the name at the same moment
        raise ValidationError(
            {"name": _("Another price list is called %(name)s.") % {"name": obj.name}}
        ) from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=obj,
        summary=f"Price list {obj.name}",
        changes={"name": obj.name, "currency": obj.currency, "is_active": obj.is_active},
    )
    return obj


@transaction.atomic
def price_list_update(*, actor, price_list: PriceList, **data: Any) -> PriceList:
    """Change a list's ``name``, ``currency`` or ``is_active``."""
    _require(actor)
    unknown = set(data) - {"name", "currency", "is_active"}
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    obj = PriceList.objects.select_for_update().get(pk=price_list.pk)
    problems = Problems()
    if "name" in data:
        data["name"] = _name(data["name"], field="name", problems=problems)
    if "currency" in data:
        with problems.check():
            data["currency"] = check_currency(data["currency"])
    if "is_active" in data:
        data["is_active"] = bool(data["is_active"])
    problems.raise_any()
    changes = model_changes(obj, data)
    if changes:
        _check_price_list(obj, problems)
        obj.save()
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=obj, changes=changes)
    return obj


# --- columns -------------------------------------------------------------------------------------


def _check_column(obj: PriceColumn, problems: Problems) -> None:
    taken = PriceColumn.objects.filter(price_list_id=obj.price_list_id, code=obj.code)
    if obj.code and taken.exclude(pk=obj.pk).exists():
        problems.add(
            "code", _("This price list already has a column %(code)s.") % {"code": obj.code}
        )
    _full_clean(obj, problems)


def _make_base(obj: PriceColumn, *, actor) -> None:
    """``obj`` becomes its list's only base column (the old base is unset first, so the
    database's one-base constraint holds at every statement)."""
    old = PriceColumn.objects.filter(price_list_id=obj.price_list_id, is_base=True).exclude(
        pk=obj.pk
    )
    for other in old:
        other.is_base = False
        other.save(update_fields=["is_base", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=other,
            changes={"is_base": [True, False]},
        )


@transaction.atomic
def price_column_create(
    *,
    actor,
    price_list: PriceList,
    code: str,
    name: str,
    is_base: bool = False,
    position: int | None = None,
) -> PriceColumn:
    """A new column; the list's first column is its base whatever ``is_base`` says."""
    _require(actor)
    PriceList.objects.select_for_update().get(pk=price_list.pk)  # one writer of the base at once
    problems = Problems()
    siblings = PriceColumn.objects.filter(price_list=price_list)
    first = not siblings.exists()
    if position is None:
        position = siblings.count()
    obj = PriceColumn(
        price_list=price_list,
        code=_name(code, field="code", problems=problems).lower(),
        name=_name(name, field="name", problems=problems),
        is_base=bool(is_base) or first,
        position=position,
    )
    if not isinstance(position, int) or not 0 <= position <= 1000:
        problems.add("position", _("The position is a whole number from 0 to 1000."))
    _check_column(obj, problems)
    if obj.is_base:
        _make_base(obj, actor=actor)
    obj.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=obj,
        summary=f"Price column {obj}",
        changes={"code": obj.code, "name": obj.name, "is_base": obj.is_base},
    )
    return obj


@transaction.atomic
def price_column_update(*, actor, column: PriceColumn, **data: Any) -> PriceColumn:
    """Change a column's ``code``, ``name``, ``position`` or make it the base (``is_base=True``);
    the base itself cannot be unset: another column is made the base instead."""
    _require(actor)
    unknown = set(data) - {"code", "name", "is_base", "position"}
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    PriceList.objects.select_for_update().get(pk=column.price_list_id)
    obj = PriceColumn.objects.get(pk=column.pk)
    problems = Problems()
    if "code" in data:
        data["code"] = _name(data["code"], field="code", problems=problems).lower()
    if "name" in data:
        data["name"] = _name(data["name"], field="name", problems=problems)
    if "position" in data and (
        not isinstance(data["position"], int) or not 0 <= data["position"] <= 1000
    ):
        problems.add("position", _("The position is a whole number from 0 to 1000."))
    if "is_base" in data:
        data["is_base"] = bool(data["is_base"])
        if obj.is_base and not data["is_base"]:
            problems.add(
                "is_base",
                _("A price list needs a base column: make another column the base instead."),
            )
    problems.raise_any()
    changes = model_changes(obj, data)
    if changes:
        _check_column(obj, problems)
        if "is_base" in changes:
            _make_base(obj, actor=actor)
        obj.save()
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=obj, changes=changes)
    return obj


# --- prices --------------------------------------------------------------------------------------


def _overlapping(*, column_id: int, product_id: int, start: date, end: date | None, exclude=None):
    qs = Price.objects.filter(column_id=column_id, product_id=product_id).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    if end is not None:
        qs = qs.filter(valid_from__lte=end)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("valid_from")


def _period(price: Price) -> str:
    if price.valid_to is None:
        return _("%(start)s on (open-ended)") % {"start": price.valid_from.isoformat()}
    return _("%(start)s to %(end)s") % {
        "start": price.valid_from.isoformat(),
        "end": price.valid_to.isoformat(),
    }


@transaction.atomic
def price_set(
    *,
    actor,
    column: PriceColumn,
    product: Product,
    price,
    valid_from: date,
    valid_to: date | None = None,
) -> Price:
    """The product's price in the column from ``valid_from`` (to ``valid_to``, open when None).

    The previous open-ended price that started earlier is closed the day before; a price from
    the same day is replaced; any other overlap (a later price, a closed period) is refused on
    ``valid_from`` with the period it would overlap."""
    _require(actor)
    problems = Problems()
    if not isinstance(column, PriceColumn):
        problems.add("column", _("Choose a column of a price list."))
    if not isinstance(product, Product):
        problems.add("product", _("Choose a product."))
    with problems.check():
        price = check_amount(price, field="price", minimum=Decimal("0"), places=PRICE_PLACES)
    if price is None:
        problems.add("price", _("Enter a price."))
    if valid_from is None:
        problems.add("valid_from", _("Enter the first day of the price."))
    with problems.check():
        check_date(valid_from, field="valid_from")
    with problems.check():
        check_date(valid_to, field="valid_to")
    if valid_from and valid_to and valid_to < valid_from and "valid_to" not in problems.errors:
        problems.add("valid_to", _("The last day must not be before the first day."))
    problems.raise_any()
    # One writer per column at a time: two people setting prices cannot both close the same one.
    PriceColumn.objects.select_for_update().get(pk=column.pk)
    same_day = Price.objects.filter(column=column, product=product, valid_from=valid_from).first()
    previous = (
        Price.objects.filter(
            column=column, product=product, valid_from__lt=valid_from, valid_to__isnull=True
        )
        .order_by("-valid_from")
        .first()
    )
    clash = _overlapping(
        column_id=column.pk,
        product_id=product.pk,
        start=valid_from,
        end=valid_to,
        exclude=same_day.pk if same_day else None,
    )
    if previous is not None:
        clash = clash.exclude(pk=previous.pk)
    other = clash.first()
    if other is not None:
        raise ValidationError(
            {
                "valid_from": _(
                    "%(product)s already has a price in %(column)s for %(period)s: choose dates "
                    "that do not overlap it."
                )
                % {"product": product.sku, "column": column.name, "period": _period(other)}
            }
        )
    if previous is not None:
        previous.valid_to = valid_from - timedelta(days=1)
        previous.save(update_fields=["valid_to", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=previous,
            summary=f"Price of {product.sku} in {column} closed",
            changes={"valid_to": [None, previous.valid_to]},
        )
    if same_day is not None:
        changes = model_changes(same_day, {"price": price, "valid_to": valid_to})
        obj = same_day
        action = AuditEntry.Action.UPDATE
    else:
        obj = Price(
            column=column,
            product=product,
            price=price,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        changes = {"price": price, "valid_from": valid_from, "valid_to": valid_to}
        action = AuditEntry.Action.CREATE
    obj.full_clean(validate_constraints=False, validate_unique=False)
    obj.save()
    audit_record(
        actor=actor,
        action=action,
        instance=obj,
        summary=f"Price of {product.sku} in {column}",
        changes={"product": product.sku, "column": column.code, **changes},
    )
    return obj


@transaction.atomic
def price_delete(*, actor, price: Price) -> None:
    """Remove a price (a mistake): the product then has no price in the column for its
    period; an earlier price closed by it stays closed."""
    _require(actor)
    obj = Price.objects.select_related("product", "column").get(pk=price.pk)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=obj,
        summary=f"Price of {obj.product.sku} in {obj.column} removed",
        changes={
            "product": obj.product.sku,
            "column": obj.column.code,
            "price": obj.price,
            "valid_from": obj.valid_from,
            "valid_to": obj.valid_to,
        },
    )
    obj.delete()


# --- discount rules ------------------------------------------------------------------------------


@transaction.atomic
def discount_rule_set(*, actor, column: PriceColumn, role: str, max_percent) -> DiscountRule:
    """The largest discount (0..100 %) a person of ``role`` may give on ``column`` without the
    head's approval (OR-3). Setting it again replaces it."""
    _require(actor)
    problems = Problems()
    if not isinstance(column, PriceColumn):
        problems.add("column", _("Choose a column of a price list."))
    if role not in Role.values:
        problems.add("role", _("Choose a role."))
    with problems.check():
        max_percent = check_amount(
            max_percent, field="max_percent", minimum=Decimal("0"), maximum=HUNDRED
        )
    if max_percent is None and "max_percent" not in problems.errors:
        problems.add("max_percent", _("Enter the largest discount in percent."))
    problems.raise_any()
    obj = DiscountRule.objects.select_for_update().filter(column=column, role=role).first()
    if obj is None:
        obj = DiscountRule.objects.create(column=column, role=role, max_percent=max_percent)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=obj,
            summary=f"Discount rule {column} {role}",
            changes={"column": column.code, "role": role, "max_percent": max_percent},
        )
        return obj
    changes = model_changes(obj, {"max_percent": max_percent})
    if changes:
        obj.save(update_fields=["max_percent", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=obj,
            summary=f"Discount rule {column} {role}",
            changes=changes,
        )
    return obj

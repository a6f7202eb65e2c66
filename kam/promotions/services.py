"""Writes of promotions (SP-4): propose, change while proposed, approve or refuse, record the
cost, close. Each validates (a ValidationError naming the field, nothing changed), runs in its
own transaction and is audited.

Approval is the director's (``promotion.approve``), and never of one's own proposal: the four
eyes a budget needs, as with pay statements. A director's own proposal waits for another
director (or a superuser). Refusing one's own proposal is allowed: it withdraws it."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.catalog.models import Product, ProductCategory
from kam.clients.models import Account
from kam.core import bounds
from kam.core.bounds import bounded_text as _text
from kam.core.models import AuditEntry
from kam.core.selectors import company_settings
from kam.core.services import audit_record
from kam.org.models import Territory
from kam.org.policy import Action, can, require
from kam.promotions.models import Promotion

__all__ = [
    "promotion_approve",
    "promotion_close",
    "promotion_propose",
    "promotion_record_cost",
    "promotion_refuse",
    "promotion_update",
]

NAME_LENGTH = 200
NOTE_LENGTH = 5000
MAX_ITEMS = 1000  # products, categories, clients or segments in one programme

EDITABLE = ("name", "kind", "starts_on", "ends_on", "budget", "discount_percent", "note")
LINKS = ("products", "categories", "accounts", "segments")


def _ids(values: Iterable | None, field: str) -> list[int]:
    out = []
    for v in values or ():
        pk = getattr(v, "pk", v)
        if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk <= bounds.MAX_ID:
            raise ValidationError({field: _("%(value)s is not a valid id.") % {"value": pk}})
        out.append(pk)
    out = sorted(set(out))
    if len(out) > MAX_ITEMS:
        raise ValidationError({field: _("At most %(n)d at once.") % {"n": MAX_ITEMS}})
    return out


def _known(qs, ids: list[int], field: str) -> list[int]:
    found = set(qs.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {field: _("Unknown: %(ids)s.") % {"ids": ", ".join(str(i) for i in missing[:10])}}
        )
    return ids


def _clean(actor, data: dict) -> dict:
    """Every field checked, each refusal naming it; the links as lists of known ids."""
    clean: dict = {}
    clean["name"] = _text(data.get("name"), "name", NAME_LENGTH, required=True)
    kind = data.get("kind")
    if kind not in Promotion.Kind.values:
        raise ValidationError(
            {
                "kind": _("%(value)s is not one of: %(choices)s.")
                % {"value": kind, "choices": ", ".join(Promotion.Kind.values)}
            }
        )
    clean["kind"] = kind
    for field in ("starts_on", "ends_on"):
        clean[field] = bounds.bounded_date(data.get(field), field)
    if clean["ends_on"] < clean["starts_on"]:
        raise ValidationError({"ends_on": _("The programme cannot end before it starts.")})
    if data.get("budget") is None:
        raise ValidationError({"budget": _("Enter the budget.")})
    clean["budget"] = bounds.check_amount(data["budget"], field="budget", minimum=Decimal("0"))
    percent = data.get("discount_percent")
    if percent in ("", None):
        clean["discount_percent"] = None
    else:
        clean["discount_percent"] = bounds.check_amount(
            percent,
            field="discount_percent",
            minimum=Decimal("0.01"),
            maximum=Decimal("99.99"),
        )
        if kind != Promotion.Kind.EXTRA_DISCOUNT:
            raise ValidationError(
                {"discount_percent": _("Only an extra discount has a discount rate.")}
            )
    clean["note"] = _text(data.get("note"), "note", NOTE_LENGTH)
    clean["products"] = _known(
        Product.objects.all(), _ids(data.get("products"), "products"), "products"
    )
    clean["categories"] = _known(
        ProductCategory.objects.all(), _ids(data.get("categories"), "categories"), "categories"
    )
    # Clients the actor does not see are as unknown as clients that do not exist (SE-1).
    clean["accounts"] = _known(
        Account.objects.visible_to(actor), _ids(data.get("accounts"), "accounts"), "accounts"
    )
    clean["segments"] = _known(
        Territory.objects.filter(kind=Territory.Kind.SEGMENT),
        _ids(data.get("segments"), "segments"),
        "segments",
    )
    if not clean["products"] and not clean["categories"]:
        raise ValidationError({"products": _("Choose at least one product or product category.")})
    if not clean["accounts"] and not clean["segments"]:
        raise ValidationError({"accounts": _("Choose at least one client or segment.")})
    return clean


def _links_set(promotion: Promotion, clean: dict) -> None:
    for name in LINKS:
        getattr(promotion, name).set(clean[name])


def _links_of(promotion: Promotion) -> dict[str, list[int]]:
    return {name: sorted(getattr(promotion, name).values_list("pk", flat=True)) for name in LINKS}


def _locked(promotion: Promotion) -> Promotion:
    return Promotion.objects.select_for_update().get(pk=promotion.pk)


@transaction.atomic
def promotion_propose(
    *,
    actor,
    name: str,
    kind: str,
    starts_on: date,
    ends_on: date,
    budget: Decimal,
    products: Iterable = (),
    categories: Iterable = (),
    accounts: Iterable = (),
    segments: Iterable = (),
    discount_percent: Decimal | None = None,
    note: str = "",
) -> Promotion:
    """A new programme, proposed (to be approved by the director)."""
    require(actor, Action.PROMOTION_PROPOSE)
    clean = _clean(actor, locals())
    promotion = Promotion.objects.create(
        **{k: clean[k] for k in EDITABLE},
        currency=company_settings().base_currency,
        proposed_by=actor if getattr(actor, "pk", None) else None,
    )
    _links_set(promotion, clean)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=promotion,
        summary=f"promotion proposed: {promotion.name}",
        changes={
            **{k: clean[k] for k in EDITABLE},
            **{k: clean[k] for k in LINKS},
        },
    )
    return promotion


def _may_change(actor, promotion: Promotion) -> None:
    require(actor, Action.PROMOTION_PROPOSE)
    if promotion.proposed_by_id != getattr(actor, "pk", None) and not can(
        actor, Action.PROMOTION_APPROVE
    ):
        raise ValidationError(
            {"proposed_by": _("Only who proposed the promotion or the director may change it.")}
        )


@transaction.atomic
def promotion_update(*, actor, promotion: Promotion, **data) -> Promotion:
    """Change a proposed programme (its proposer or the director); the fields not given keep
    their values."""
    unknown = set(data) - set(EDITABLE) - set(LINKS)
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationError({field: _("This field cannot be changed.")})
    promotion = _locked(promotion)
    _may_change(actor, promotion)
    if promotion.status != Promotion.Status.PROPOSED:
        raise ValidationError({"status": _("Only a proposed promotion can be changed.")})
    before = {k: getattr(promotion, k) for k in EDITABLE} | _links_of(promotion)
    clean = _clean(actor, before | data)
    changes = {k: [before[k], clean[k]] for k in (*EDITABLE, *LINKS) if before[k] != clean[k]}
    if changes:
        for k in EDITABLE:
            setattr(promotion, k, clean[k])
        promotion.save()
        _links_set(promotion, clean)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=promotion,
            summary=f"promotion changed: {promotion.name}",
            changes=changes,
        )
    return promotion


def _decide(actor, promotion: Promotion, status: str, note: str) -> Promotion:
    require(actor, Action.PROMOTION_APPROVE)
    note = _text(note, "note", NOTE_LENGTH)
    promotion = _locked(promotion)
    if promotion.status != Promotion.Status.PROPOSED:
        raise ValidationError(
            {
                "status": _("The promotion is %(status)s already; only a proposed one is decided.")
                % {"status": promotion.get_status_display().lower()}
            }
        )
    old = promotion.status
    promotion.status = status
    promotion.approved_by = actor if getattr(actor, "pk", None) else None
    promotion.approved_at = timezone.now()
    if note:
        promotion.note = f"{promotion.note}\n{note}".strip()[:NOTE_LENGTH]
    promotion.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=promotion,
        summary=f"promotion {status}: {promotion.name}",
        changes={"status": [old, status], **({"note": note} if note else {})},
    )
    return promotion


@transaction.atomic
def promotion_approve(*, actor, promotion: Promotion, note: str = "") -> Promotion:
    """The director approves a proposed programme; never their own proposal."""
    require(actor, Action.PROMOTION_APPROVE)
    if promotion.proposed_by_id is not None and promotion.proposed_by_id == actor.pk:
        raise ValidationError(
            {"proposed_by": _("You proposed this promotion: another director must approve it.")}
        )
    return _decide(actor, promotion, Promotion.Status.APPROVED, note)


@transaction.atomic
def promotion_refuse(*, actor, promotion: Promotion, note: str = "") -> Promotion:
    """The director refuses a proposed programme (their own too: it is withdrawn)."""
    return _decide(actor, promotion, Promotion.Status.REFUSED, note)


@transaction.atomic
def promotion_record_cost(*, actor, promotion: Promotion, cost: Decimal) -> Promotion:
    """Record what an approved (or closed) programme cost, in the base currency."""
    require(actor, Action.PROMOTION_APPROVE)
    if cost is None:
        raise ValidationError({"cost": _("Enter the cost.")})
    cost = bounds.check_amount(cost, field="cost", minimum=Decimal("0"))
    promotion = _locked(promotion)
    if promotion.status not in (Promotion.Status.APPROVED, Promotion.Status.CLOSED):
        raise ValidationError({"cost": _("Only an approved programme has a cost.")})
    old = promotion.cost
    promotion.cost = cost
    promotion.cost_recorded_at = timezone.now()
    promotion.save(update_fields=["cost", "cost_recorded_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=promotion,
        summary=f"promotion cost recorded: {promotion.name}",
        changes={"cost": [old, cost]},
    )
    return promotion


@transaction.atomic
def promotion_close(*, actor, promotion: Promotion) -> Promotion:
    """Close an approved programme once it has ended (its effect stays readable)."""
    require(actor, Action.PROMOTION_APPROVE)
    promotion = _locked(promotion)
    if promotion.status != Promotion.Status.APPROVED:
        raise ValidationError({"status": _("Only an approved promotion can be closed.")})
    if promotion.ends_on >= timezone.localdate():
        raise ValidationError({"ends_on": _("The programme has not ended yet.")})
    promotion.status = Promotion.Status.CLOSED
    promotion.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=promotion,
        summary=f"promotion closed: {promotion.name}",
        changes={"status": [Promotion.Status.APPROVED, Promotion.Status.CLOSED]},
    )
    return promotion

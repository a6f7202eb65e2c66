"""Reads of clients and contacts, always from what the user may see (SE-1)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import CharField, F, Func, Q, QuerySet, Value
from django.db.models.lookups import Contains
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from kam.clients.models import Account, AccountOwnership, Contact
from kam.core.models import AuditEntry
from kam.org.models import Role, User
from kam.org.policy import RULES, Action
from kam.org.selectors import acting_for, department_subtree

# Who may hold clients: KAMs, and regional managers who act as KAMs themselves (SPEC roles).
OWNER_ROLES = frozenset({Role.KAM, Role.REGIONAL})

ARCHIVED_NO = ""  # the default: clients in work
ARCHIVED_ONLY = "only"
ARCHIVED_ALL = "all"
ARCHIVED_CHOICES = (ARCHIVED_NO, ARCHIVED_ONLY, ARCHIVED_ALL)


class SearchFold(Func):
    """Text as a search compares it: without diacritics and case ("Rīgas" -> "rigas").

    PostgreSQL: ``lower(kam_unaccent(x))``, an IMMUTABLE wrapper of the ``unaccent``
    extension with a trigram index per searched column on exactly this expression (migrations
    clients 0004, 0005); SQLite: ``kam_casefold(kam_unaccent(x))``, Python functions
    registered on each connection (kam.core.apps). Applied to both the column and the query,
    so the two sides fold alike."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="lower(kam_unaccent(%(expressions)s))")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="kam_casefold(kam_unaccent(%(expressions)s))"
        )

    def as_sql(self, compiler, connection, template=None, **extra):
        # Other databases: case only.
        return super().as_sql(compiler, connection, template=template or "lower(%(expressions)s)")


SEARCHED = ("legal_name", "city", "registration_number", "vat_number")


def _folded_contains(field: str, q: str) -> Contains:
    return Contains(SearchFold(F(field)), SearchFold(Value(q, output_field=CharField())))


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    status: str = ""
    owner_id: int | None = None
    department_id: int | None = None
    territory_id: int | None = None
    segment_id: int | None = None
    industry: str = ""
    # "" clients in work (the default), "only" the archived ones, "all" both.
    archived: str = ARCHIVED_NO


def account_list(*, user, filters: AccountFilters | None = None) -> QuerySet[Account]:
    f = filters or AccountFilters()
    qs = Account.objects.visible_to(user).select_related(
        "owner", "department", "territory", "segment"
    )
    if f.archived == ARCHIVED_ONLY:
        qs = qs.filter(archived_at__isnull=False)
    elif f.archived != ARCHIVED_ALL:
        qs = qs.filter(archived_at__isnull=True)
    if f.q:
        # Without diacritics or case ("rigas" finds "Rīgas Piens"). The numbers are folded
        # too, so that each branch of the OR can use its trigram index on PostgreSQL.
        match = Q(pk__in=[])
        for field in SEARCHED:
            match |= Q(_folded_contains(field, f.q))
        qs = qs.filter(match)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.department_id:
        qs = qs.filter(department_id=f.department_id)
    if f.territory_id:
        qs = qs.filter(territory_id=f.territory_id)
    if f.segment_id:
        qs = qs.filter(segment_id=f.segment_id)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    return qs.order_by("legal_name", "pk")


def account_get(*, user, pk) -> Account:
    """One client the user may see, archived or not; 404 alike for missing and not yours."""
    try:
        return account_list(user=user, filters=AccountFilters(archived=ARCHIVED_ALL)).get(pk=pk)
    except (Account.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client.") from None


def contact_list(*, user, account: Account | None = None) -> QuerySet[Contact]:
    qs = Contact.objects.visible_to(user).select_related("account")
    if account is not None:
        qs = qs.filter(account=account)
    return qs


def contact_get(*, user, pk) -> Contact:
    try:
        return contact_list(user=user).get(pk=pk)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contact.") from None


@dataclass(frozen=True)
class ChangeRow:
    label: str  # the field's verbose name, in the reader's language
    old: object  # None: no old value recorded (a creation)
    new: object


def account_audit_trail(*, account: Account, limit: int = 30) -> list[AuditEntry]:
    """Who changed what and when on a client and its contact people (SE-3), newest first.

    ``account`` comes from ``account_get``, so the caller's scope is already checked. Each
    entry gets ``what`` (what was changed) and ``rows`` (ChangeRow: the field's name, not its
    code; a related record's name, not its id; a choice's label, not its code). Older entries
    recorded ids: they are resolved here, when shown, with one query per related model."""
    contact_ids = [str(pk) for pk in account.contacts.values_list("pk", flat=True)]
    entries = list(
        AuditEntry.objects.filter(
            Q(entity=Account._meta.label_lower, entity_id=str(account.pk))
            | Q(entity=Contact._meta.label_lower, entity_id__in=contact_ids)
        )
        .select_related("actor")
        .order_by("-at", "-pk")[:limit]
    )
    models = {Account._meta.label_lower: Account, Contact._meta.label_lower: Contact}
    # Ids recorded for foreign keys, per related model: resolved in one query each.
    wanted: dict[type, set[int]] = {}
    for entry in entries:
        model = models[entry.entity]
        for field_name, old, new in entry.change_rows():
            field = _model_field(model, field_name)
            if field is not None and field.is_relation:
                for value in (old, new):
                    if isinstance(value, int) and not isinstance(value, bool):
                        wanted.setdefault(field.related_model, set()).add(value)
    names = {
        related: {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
    }
    for entry in entries:
        model = models[entry.entity]
        entry.rows = [
            _change_row(model, field_name, old, new, names)
            for field_name, old, new in entry.change_rows()
        ]
        entry.what = _what(entry, account)
    return entries


# Keys the services record that are no model field, labelled when shown.
CHANGE_LABELS = {"handed_over_on": gettext_lazy("handed over on")}


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: a key recorded by an older version
        return None


def _change_row(model, field_name: str, old, new, names) -> ChangeRow:
    field = _model_field(model, field_name)
    if field is None:
        label = CHANGE_LABELS.get(field_name) or field_name.replace("_", " ")
        return ChangeRow(str(label), old, new)

    def shown(value):
        if value is None or value == "":
            return value
        if field.is_relation and isinstance(value, int) and not isinstance(value, bool):
            # A record deleted since: say so rather than show a bare number.
            return names.get(field.related_model, {}).get(value) or _("(deleted #%(id)s)") % {
                "id": value
            }
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return value

    return ChangeRow(str(field.verbose_name), shown(old), shown(new))


def _what(entry: AuditEntry, account: Account) -> str:
    if entry.entity == Contact._meta.label_lower:
        # Older entries stored "<contact> at <client>" in English: keep the contact's name only.
        name = entry.summary.removesuffix(f" at {account.legal_name}")
        return pgettext("change history", "%(contact)s at %(client)s") % {
            "contact": name or _("contact person"),
            "client": account.legal_name,
        }
    return entry.summary or str(Account._meta.verbose_name)


def account_ownership_history(*, account: Account) -> list[AccountOwnership]:
    """Who owned the client from when, newest first. ``account`` comes from ``account_get``."""
    return list(
        AccountOwnership.objects.filter(account=account)
        .select_related("owner", "department")
        .order_by("-started_on", "-pk")
    )


def account_owner_on(*, account: Account, day: date):
    """The KAM who owned ``account`` on ``day`` (the one to credit a sale of that day with),
    or None. A row covers started_on up to the day before ended_on (models.AccountOwnership)."""
    row = (
        AccountOwnership.objects.filter(account=account, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .exclude(ended_on=F("started_on"))
        .select_related("owner")
        .order_by("-started_on", "-pk")
        .first()
    )
    return row.owner if row else None


def owners_between(*, user, first: date, last: date, owner=None) -> QuerySet[AccountOwnership]:
    """Ownership rows that overlap the days [first, last], of clients ``user`` may see
    (optionally of one KAM): what the plans issue reads to credit each sale to the KAM who
    held the client that day. Empty rows (two handovers on one day) are left out."""
    q = Q(started_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gt=first))
    qs = AccountOwnership.objects.filter(q).exclude(ended_on=F("started_on"))
    visible = Account.objects.visible_to(user).values("pk")
    qs = qs.filter(account__in=visible)
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.select_related("owner", "department", "account").order_by(
        "account_id", "started_on", "pk"
    )


def assignable_owners(*, actor: User | None, action: Action = Action.CLIENT_REASSIGN):
    """The people ``actor`` may give a client to: active KAMs inside the actor's scope for
    ``action`` (a head: their department subtree; a KAM creating a client: themselves).

    ``actor=None`` (the system) may give a client to any active KAM."""
    people = User.objects.filter(is_active=True, role__in=OWNER_ROLES).select_related("department")
    if actor is None:
        return people
    rule = RULES[action]
    q = Q(pk__in=[])
    for person in acting_for(actor) if actor.is_authenticated and actor.is_active else []:
        if not person.is_active or not (person.is_superuser or person.role in rule.roles):
            continue
        if person.sees_everything:
            return people
        q |= Q(pk=person.pk)
        if person.role in {Role.HEAD, Role.SUPPORT} and person.department_id:
            q |= Q(department__in=department_subtree(person.department))
        elif person.role == Role.REGIONAL:
            q |= Q(manager=person)
    return people.filter(q)

"""Departments (a tree), people with roles and managers, territories, deputyships (SE-2)."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import TimeStampedModel


class Department(TimeStampedModel):
    """A node of the sales organisation. ``path`` ("/1/4/") makes a subtree one indexed query."""

    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Territory(TimeStampedModel):
    """A territory or a market segment that KAMs are responsible for."""

    class Kind(models.TextChoices):
        TERRITORY = "territory", _("territory")
        SEGMENT = "segment", _("segment")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TERRITORY)

    class Meta:
        verbose_name = _("territory or segment")
        verbose_name_plural = _("territories and segments")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="territory_unique")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DIRECTOR = "director", _("Director")
    HEAD = "head", _("Head of department")
    REGIONAL = "regional", _("Regional manager")
    KAM = "kam", _("Key account manager")
    SUPPORT = "support", _("Sales support")
    CREDIT = "credit", _("Credit controller")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A person who works in KAM. The role and the place in the structure decide what they see."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.KAM)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory or segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.role in {Role.DIRECTOR, Role.ADMIN, Role.CREDIT}


class Deputyship(TimeStampedModel):
    """While ``absent`` is away, ``deputy`` holds their rights, by an order, for the dates only (SE-2)."""

    absent = models.ForeignKey(
        User, verbose_name=_("absent person"), on_delete=models.CASCADE, related_name="deputised_by"
    )
    deputy = models.ForeignKey(
        User, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="deputising_for"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    order_ref = models.CharField(_("order reference"), max_length=100)

    class Meta:
        verbose_name = _("deputyship")
        verbose_name_plural = _("deputyships")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="deputyship_dates"
            ),
            models.CheckConstraint(
                condition=~models.Q(absent=models.F("deputy")), name="deputyship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} for {self.absent} ({self.starts_on}..{self.ends_on})"


class ApiToken(TimeStampedModel):
    """A bearer token for scripts. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "kam_" + secrets.token_urlsafe(32)

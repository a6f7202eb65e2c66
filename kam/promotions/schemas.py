"""Input and output schemas of the promotions API: they only parse; the services decide
(bounds, dates in order, roles) and refuse naming the field. Names start with Promotion (the
OpenAPI components are shared by every app)."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from kam.core.schemas import Money


def _person(obj, name: str) -> str:
    if isinstance(obj, dict):  # already serialised (the detail)
        return obj.get(name, "")
    return str(getattr(obj, name)) if getattr(obj, f"{name}_id") else ""


class PromotionOut(Schema):
    id: int
    name: str
    kind: str = Field(description="extra_discount | bonus_goods | kam_bonus")
    status: str = Field(description="proposed | approved | refused | closed")
    starts_on: date
    ends_on: date
    budget: Money
    currency: str
    discount_percent: Decimal | None
    cost: Money | None = Field(description="The recorded cost; null: not recorded.")
    proposed_by: str
    approved_by: str = Field(description="Who approved or refused it.")
    approved_at: datetime | None
    note: str

    @staticmethod
    def resolve_proposed_by(obj) -> str:
        return _person(obj, "proposed_by")

    @staticmethod
    def resolve_approved_by(obj) -> str:
        return _person(obj, "approved_by")


class PromotionMeasureOut(Schema):
    actual: Money
    baseline: Money = Field(description="The programme clients' pre-period trend, extrapolated.")
    vs_baseline: Money
    control: Money | None = Field(description="The control group's, scaled to the programme.")
    vs_control: Money | None = Field(description="Difference-in-differences.")


class PromotionMonthOut(Schema):
    month: date
    in_programme: bool
    actual: Money | None
    baseline: Money | None
    control: Money | None


class PromotionEffectOut(Schema):
    as_of: date
    currency: str
    months: list[date]
    measured: list[date] = Field(description="The programme months over by as_of.")
    pre_months: list[date]
    clients: int = Field(description="Programme clients the caller sees.")
    clients_total: int
    control_size: int
    matched: int = Field(description="Programme clients with at least one control client.")
    turnover: PromotionMeasureOut
    income: PromotionMeasureOut
    cost: Money | None
    cost_source: str = Field(description="recorded | computed | none")
    roi_vs_baseline: Decimal | None
    roi_vs_control: Decimal | None
    series: list[PromotionMonthOut]


class PromotionDetailOut(PromotionOut):
    products: list[int]
    categories: list[int]
    clients: list[int] = Field(description="The listed clients the caller sees.")
    segments: list[int]
    effect: PromotionEffectOut


class PromotionIn(Schema):
    name: str
    kind: str = Field(description="extra_discount | bonus_goods | kam_bonus")
    starts_on: date
    ends_on: date = Field(description="On or after starts_on.")
    budget: Decimal = Field(description="0 .. 999 999 999.99, base currency.")
    discount_percent: Decimal | None = Field(None, description="Extra discount only, 0.01..99.99.")
    products: list[int] = []
    categories: list[int] = []
    accounts: list[int] = Field([], description="Client ids.")
    segments: list[int] = Field([], description="Segment (territory of kind segment) ids.")
    note: str = ""


class PromotionDecisionIn(Schema):
    note: str = ""


class PromotionCostIn(Schema):
    cost: Decimal = Field(description="0 .. 999 999 999.99, base currency.")

"""HTTP API of the key-account radar (mounted at /api/radar): the same selectors and services
as the pages and the CLI, scoped the same way (SE-1)."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from kam.core.bounds import MAX_PAGE, clamp_date, clamp_page
from kam.core.schemas import MAX_PAGE_SIZE, PAGE_SIZE
from kam.radar import selectors, services
from kam.radar.models import Band, Definition, PartnerDisclosure
from kam.radar.selectors import ANY_BAND, DEFAULT_SORT, ROW_SORTS

router = Router()

LevelName = Literal["company", "department", "manager"]
ManualDefinition = Literal["reference", "partner", "competent", "innovator"]


# --- output ------------------------------------------------------------------------------------


class EvidenceRecordOut(Schema):
    on: date | None
    text: str
    kind: str
    recorded_by: str


class EvidenceOut(Schema):
    definition: str
    label: str
    summary: str
    level: str
    figures: dict[str, Any]
    recorded_by: str
    recorded_on: date | None
    owner: str
    review_on: date | None
    review_due: bool
    suggested: bool
    records: list[EvidenceRecordOut]


class RowOut(Schema):
    account_id: int
    account_name: str
    status: str
    owner_id: int | None
    owner_name: str
    department_id: int | None
    department_name: str
    unit_id: int | None
    unit_total: Decimal | None = Field(
        description="The unit's total weight; null when you do not see every client of the "
        "unit (a KAM asking the company level sees shares, not the company's amounts)."
    )
    income: Decimal = Field(
        description="Revenue minus cost of the lines with a known cost (issue 8 §3)."
    )
    turnover: Decimal
    uncosted: Decimal = Field(
        description="The period's revenue of lines without a known cost: in turnover, not in "
        "income."
    )
    income_unknown: bool = Field(
        description="true: some of the period's lines have no cost, so the client's income is "
        "incomplete (on the income basis its weight counts the costed lines only)."
    )
    weight: Decimal
    share_pct: Decimal
    band: str
    loss_making: bool
    is_key: bool
    definitions: list[str]
    suggestions: list[str]
    evidence: list[EvidenceOut]
    abc: str
    npv: Decimal
    trend_pct: Decimal | None = Field(
        description="Income growth, last 12 months against the 12 before, as measured (%); "
        "null with no positive base year."
    )
    npv_growth_pct: Decimal = Field(
        description="The growth the NPV assumes: trend_pct capped at npv_growth_cap_pct."
    )
    wallet: Decimal | None
    headroom: Decimal | None
    flags: list[str]


class AlertOut(Schema):
    kind: str
    message: str
    account_id: int | None
    account_name: str
    user_id: int | None
    user_name: str
    share_pct: Decimal | None
    count: int | None


class ParetoPointOut(Schema):
    rank: int
    clients_pct: Decimal
    cumulative_pct: Decimal


class ConcentrationOut(Schema):
    total: Decimal
    clients: int
    top1_pct: Decimal
    top5_pct: Decimal
    top10_pct: Decimal
    hhi: Decimal
    abc_counts: dict[str, int]
    abc_pct: dict[str, Decimal]
    pareto: list[ParetoPointOut]
    complete: bool = Field(
        description="true: over every client of the level and unit; false: over only the "
        "clients you see (your own book at company level), not the company's figures."
    )


class PortfolioOut(Schema):
    level: str
    unit_id: int | None
    unit_name: str
    as_of: date
    period_start: date
    period_end: date
    months: int
    basis: str
    currency: str
    rows: list[RowOut] = Field(description="One page of the rows matching the filters.")
    count: int = Field(description="Rows matching the filters, on all pages.")
    page: int
    page_size: int
    alerts: list[AlertOut] = Field(description="Over every row of the level you may see.")
    concentration: ConcentrationOut
    uncosted_clients: int = Field(
        description="Clients of the level you may see (all pages) whose period has lines "
        "without a cost: their income is incomplete."
    )


class StatusChangeOut(Schema):
    account_id: int
    account_name: str
    level: str
    period_end: date
    previous_end: date
    kind: str
    definitions_before: list[str]
    definitions_after: list[str]
    share_before: Decimal | None
    share_after: Decimal | None
    reason: str


class SettingsOut(Schema):
    basis: str
    key_amount: Decimal | None
    key_share_pct: Decimal | None
    critical_pct: Decimal
    mono_pct: Decimal
    period: str
    potential_headroom: Decimal
    innovator_share_pct: Decimal
    innovator_window_months: int
    abc_a_pct: Decimal
    abc_b_pct: Decimal
    npv_rate_pct: Decimal
    npv_horizon_years: int
    npv_growth_cap_pct: Decimal
    max_key_per_kam: int
    version: int


class SettingsPatch(Schema):
    basis: Literal["income", "turnover"] | None = None
    key_amount: Decimal | None = None
    key_share_pct: Decimal | None = None
    critical_pct: Decimal | None = None
    mono_pct: Decimal | None = None
    period: Literal["rolling12", "fiscal_year", "fiscal_quarter"] | None = None
    potential_headroom: Decimal | None = None
    innovator_share_pct: Decimal | None = None
    innovator_window_months: int | None = None
    abc_a_pct: Decimal | None = None
    abc_b_pct: Decimal | None = None
    npv_rate_pct: Decimal | None = None
    npv_horizon_years: int | None = None
    npv_growth_cap_pct: Decimal | None = None
    max_key_per_kam: int | None = None
    expected_version: int | None = Field(
        None,
        description="The `version` you read; if the criteria changed since, the answer is 409 "
        "`conflict` and nothing is saved.",
    )


class Created(Schema):
    id: int


# --- input -------------------------------------------------------------------------------------


class PortfolioQuery(Schema):
    level: LevelName = "company"
    unit: int | None = None
    as_of: date | None = None
    only_key: bool = False
    definition: Literal[("", *Definition.values)] = ""  # type: ignore[valid-type]
    band: Literal[("", ANY_BAND, Band.CRITICAL, Band.MONO)] = ""  # type: ignore[valid-type]
    abc: Literal["", "A", "B", "C"] = ""
    owner: int | None = None
    sort: Literal[tuple(ROW_SORTS)] = DEFAULT_SORT  # type: ignore[valid-type]
    page: int = Field(1, ge=1, description=f"Numbers over {MAX_PAGE:,} read as {MAX_PAGE:,}.")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    def model_post_init(self, context) -> None:
        # Reads answer for the nearest page and date that make sense (kam.core.bounds).
        self.page = clamp_page(self.page)
        self.as_of = clamp_date(self.as_of)

    def selector_kwargs(self) -> dict:
        return {
            "level": self.level,
            "unit_id": self.unit,
            "as_of": self.as_of,
            "only_key": self.only_key,
            "definition": self.definition,
            "band": self.band,
            "abc": self.abc,
            "owner_id": self.owner,
            "sort": self.sort,
            "offset": (self.page - 1) * self.page_size,
            "limit": self.page_size,
        }


class ConcentrationQuery(Schema):
    level: LevelName = "company"
    unit: int | None = None
    as_of: date | None = None


class HistoryQuery(Schema):
    level: LevelName | None = None
    account: int | None = None
    since: date | None = None


# The input schemas parse (types, required fields); what values are allowed the services decide,
# the same for the web forms (issue 7 §2): a bad date or amount answers 422 naming the field.


class CompetitorIn(Schema):
    name: str
    share_pct: Decimal


class WalletIn(Schema):
    annual_budget: Decimal
    currency: str = ""
    recorded_at: date | None = None
    review_on: date | None = None
    categories: str = ""
    note: str = ""
    competitors: list[CompetitorIn] = []


class ReferenceCaseIn(Schema):
    what: str = Field(..., min_length=1)
    done_on: date
    result: str = ""


class PartnerDisclosureIn(Schema):
    kind: Literal[tuple(PartnerDisclosure.Kind.values)]  # type: ignore[valid-type]
    text: str = Field(..., min_length=1)
    disclosed_on: date


class ConsultationIn(Schema):
    topic: str = Field(..., min_length=1)
    consulted_on: date


class FlagIn(Schema):
    definition: ManualDefinition
    note: str = ""
    owner_id: int | None = None
    review_on: date | None = None


# --- reads -------------------------------------------------------------------------------------


@router.get("/portfolio", response=PortfolioOut, summary="Key-account portfolio at a level")
def portfolio(request, q: Query[PortfolioQuery]):
    """One page of the portfolio (``page``, ``page_size``; filters and ``sort`` as on the
    Key accounts page); alerts and concentration cover the whole level."""
    p = selectors.radar_portfolio(user=request.user, **q.selector_kwargs())
    return {**vars(p), "page": q.page, "page_size": q.page_size}


@router.get("/concentration", response=ConcentrationOut, summary="Pareto, ABC, top-N, HHI")
def concentration(request, q: Query[ConcentrationQuery]):
    # A read answers for the nearest date that makes sense (issue 7 §2: year 1 was a 500).
    return selectors.radar_concentration(
        user=request.user, level=q.level, unit_id=q.unit, as_of=clamp_date(q.as_of)
    )


@router.get("/accounts/{account_id}/why", response=list[EvidenceOut], summary="Why key")
def why(request, account_id: int, as_of: date | None = None):
    return selectors.why_key(user=request.user, account=account_id, as_of=clamp_date(as_of))


@router.get("/history", response=list[StatusChangeOut], summary="Key-status changes")
def history(request, q: Query[HistoryQuery]):
    since = clamp_date(q.since)
    return selectors.key_history(user=request.user, level=q.level, account=q.account, since=since)


@router.get("/settings", response=SettingsOut, summary="Radar criteria")
def settings_get(request):
    return selectors.radar_settings()


@router.patch("/settings", response=SettingsOut, summary="Change radar criteria")
def settings_patch(request, payload: SettingsPatch):
    try:
        return services.radar_settings_update(
            actor=request.user, **payload.model_dump(exclude_unset=True)
        )
    except services.SettingsConflict as exc:
        raise HttpError(409, str(exc)) from None


# --- writes ------------------------------------------------------------------------------------


@router.post("/accounts/{account_id}/wallet-estimates", response={201: Created})
def wallet_create(request, account_id: int, payload: WalletIn):
    data = payload.model_dump()
    competitors = [(c["name"], c["share_pct"]) for c in data.pop("competitors")]
    obj = services.wallet_estimate_record(
        actor=request.user, account=account_id, competitors=competitors, **data
    )
    return Status(201, {"id": obj.pk})


@router.post("/accounts/{account_id}/reference-cases", response={201: Created})
def reference_case_create(request, account_id: int, payload: ReferenceCaseIn):
    obj = services.reference_case_record(
        actor=request.user, account=account_id, **payload.model_dump()
    )
    return Status(201, {"id": obj.pk})


@router.post("/accounts/{account_id}/partner-disclosures", response={201: Created})
def partner_disclosure_create(request, account_id: int, payload: PartnerDisclosureIn):
    obj = services.partner_disclosure_record(
        actor=request.user, account=account_id, **payload.model_dump()
    )
    return Status(201, {"id": obj.pk})


@router.post("/accounts/{account_id}/consultations", response={201: Created})
def consultation_create(request, account_id: int, payload: ConsultationIn):
    obj = services.competence_consultation_record(
        actor=request.user, account=account_id, **payload.model_dump()
    )
    return Status(201, {"id": obj.pk})


@router.post("/accounts/{account_id}/flags", response={201: Created})
def flag_set(request, account_id: int, payload: FlagIn):
    data = payload.model_dump()
    owner_id = data.pop("owner_id")
    owner = None
    if owner_id is not None:
        # Only someone the actor may see can own a flag; 404 alike otherwise.
        owner = selectors.manager_units(request.user).filter(pk=owner_id).first()
        if owner is None:
            raise Http404("No such person.")
    obj = services.key_flag_set(actor=request.user, account=account_id, owner=owner, **data)
    return Status(201, {"id": obj.pk})


@router.delete("/accounts/{account_id}/flags/{definition}", response={204: None})
def flag_clear(request, account_id: int, definition: ManualDefinition):
    services.key_flag_clear(actor=request.user, account=account_id, definition=definition)
    return Status(204, None)

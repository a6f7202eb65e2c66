"""Input and output schemas of the relations API. They only parse; the services decide (bounds,
stages, the self and duplicate relation) and refuse naming the field. Names start with
Profile or Relation: schema names are unique across the apps' OpenAPI components."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class ProfileRowOut(Schema):
    id: int = Field(description="The contact person's id.")
    name: str
    position: str
    decision_role: str = Field(
        description="decision_maker | influencer | user | gatekeeper | other"
    )
    client_id: int
    client: str
    is_vip: bool
    is_kol: bool
    stage: str = Field(description="contact | acquaintance | loyalty | near_friendly")
    loyalty_company: int | None = Field(description="1..5, null: not known.")
    loyalty_products: int | None
    specialty: str


class ProfilePersonalOut(Schema):
    birthday: date | None
    family: str
    interests: str


class ProfileStageChangeOut(Schema):
    from_stage: str
    to_stage: str
    on: date
    by: str
    reason: str


class ProfileCompetitorOut(Schema):
    id: int
    competitor: str
    what: str
    seen_on: date


class RelationOut(Schema):
    id: int
    from_person_id: int
    to_person_id: int
    kind: str = Field(description="reports_to | influences | allies_with | rivals_with")
    strength: int = Field(description="1..5")


class ProfileOut(ProfileRowOut):
    affiliations: str
    publications: str
    speaking: str
    history: list[ProfileStageChangeOut] = Field(description="Stage changes, newest first.")
    competitors: list[ProfileCompetitorOut]
    relations: list[RelationOut] = Field(description="With people the caller may see.")
    personal: ProfilePersonalOut | None = Field(
        None,
        description="Only for the client's KAM and their managers (relation.personal.view); "
        "for anybody else the key is absent, not empty.",
    )


class ProfileIn(Schema):
    """What is sent changes; what is left out stays. The personal fields need
    relation.personal.view (403 otherwise)."""

    is_vip: bool | None = None
    is_kol: bool | None = None
    decision_role: str | None = None
    specialty: str | None = None
    affiliations: str | None = None
    publications: str | None = None
    speaking: str | None = None
    loyalty_company: int | None = Field(None, description="1..5, null to forget.")
    loyalty_products: int | None = None
    birthday: date | None = None
    family: str | None = None
    interests: str | None = None


class ProfileStageIn(Schema):
    to_stage: str = Field(description="contact | acquaintance | loyalty | near_friendly")
    on: date | None = Field(None, description="Default today; never in the future.")
    reason: str = Field("", description="Needed for a step back to an earlier stage.")


class ProfileCompetitorIn(Schema):
    competitor: str
    what: str
    seen_on: date | None = None


class RelationIn(Schema):
    from_person_id: int
    to_person_id: int
    kind: str = Field(description="reports_to | influences | allies_with | rivals_with")
    strength: int = Field(3, description="1..5")


class RelationNodeOut(Schema):
    id: int
    name: str
    client: str
    client_id: int
    role: str
    vip: bool
    kol: bool
    stage: str
    decides: bool = Field(description="A decision maker, or the head others report to.")
    leaning: str = Field(description="us | competitor | neutral")
    score: float = Field(description="PageRank influence; the map's scores sum to 1.")


class RelationEdgeOut(Schema):
    id: int
    source: int
    target: int
    kind: str
    strength: int


class RelationBalanceOut(Schema):
    us: float = Field(description="The influence of the people leaning to us.")
    competitors: float
    neutral: float
    tilt: str = Field(description="us | competitor | neutral (even)")


class RelationCutOut(Schema):
    leaver: int = Field(description="If this person leaves ...")
    target: int = Field(description="... these people lose their only path to this decider.")
    cut_off: list[int]


class RelationMapOut(Schema):
    nodes: list[RelationNodeOut]
    edges: list[RelationEdgeOut]
    ranking: list[int] = Field(description="Person ids, most influential first.")
    balance: RelationBalanceOut
    cuts: list[RelationCutOut] = Field(description="The widest cuts first, at most 50.")
    cuts_total: int = Field(description="How many cuts there are in all.")
    total_people: int = Field(description="People in scope before a territory's cap.")


class RelationNoteOut(Schema):
    id: int
    client_id: int
    client: str
    on: date
    kind: str = Field(description="need | prospect | feedback | observation | business_change")
    text: str
    tags: list[str]
    written_by: str


class RelationNoteIn(Schema):
    kind: str
    text: str
    on: date | None = None
    tags: list[str] = Field(default_factory=list, description="Words without commas or spaces.")


class RelationNotePatch(Schema):
    kind: str | None = None
    text: str | None = None
    on: date | None = None
    tags: list[str] | None = None


class RelationNoteFilter(Schema):
    q: str = Field("", max_length=200, description="Words in the text or a tag.")
    kind: str = ""
    tag: str = Field("", max_length=40)
    client_id: int | None = None


# --- account plans (AC-12) --------------------------------------------------------------------


class AccountPlanRowOut(Schema):
    id: int
    client_id: int
    client: str
    person_id: int | None = Field(description="The VIP/KOL of a project plan, else null.")
    title: str
    starts_on: date
    ends_on: date
    owner_id: int
    owner: str
    level: str = Field(description="D1 | D2 | D3 | D4")
    status: str = Field(description="draft | active | closed")
    budget: Decimal
    currency: str
    review_every_days: int
    next_review_on: date | None
    goals_total: int
    goals_on_track: int = Field(description="Goals on track or done.")
    actions_total: int
    actions_overdue: int
    pending: int = Field(description="Changes waiting for the manager.")


class AccountPlanGoalOut(Schema):
    id: int
    text: str
    measure: str
    target_value: Decimal
    current_value: Decimal
    progress: int | None = Field(description="The current value, % of the target.")
    due_on: date
    status: str = Field(description="on_track | at_risk | done | missed")


class AccountPlanActionOut(Schema):
    id: int
    goal_id: int | None
    text: str
    owner_id: int
    owner: str
    due_on: date
    progress: int
    done_on: date | None
    cost: Decimal
    overdue: bool


class AccountPlanPendingOut(Schema):
    id: int
    plan_id: int
    kind: str = Field(
        description="plan_update | budget_set | goal_add | goal_update | action_add | action_update"
    )
    goal_id: int | None
    action_id: int | None
    fields: dict = Field(description="The proposed values (decimals and dates as strings).")
    before: dict = Field(description="What the changed fields held when it was proposed.")
    by: str
    created_at: datetime
    status: str = Field(description="pending | approved | refused")
    decided_by: str
    decided_at: datetime | None
    decision_note: str


class AccountPlanReviewOut(Schema):
    id: int
    on: date
    by: str
    notes: str


class AccountPlanLevelOut(Schema):
    from_level: str
    to_level: str
    on: date
    by: str
    reason: str


class AccountPlanHealthPartOut(Schema):
    name: str = Field(description="goals | actions | contact | income")
    weight: int
    score: float | None = Field(description="0..1; null: not known, left out of the score.")
    reason: str


class AccountPlanHealthOut(Schema):
    score: int | None = Field(description="0..100; null when no part is known.")
    parts: list[AccountPlanHealthPartOut]


class AccountPlanOut(AccountPlanRowOut):
    level_set_by: str
    level_set_on: date | None
    may_alone: list[str] = Field(
        description="What the KAM changes without approval at this level: groups of "
        "plan | budget | goals | goal_progress | actions | action_progress."
    )
    committed: Decimal = Field(description="The actions' costs, done or not.")
    spent: Decimal = Field(description="The done actions' costs.")
    goals: list[AccountPlanGoalOut]
    actions: list[AccountPlanActionOut]
    pending_changes: list[AccountPlanPendingOut]
    reviews: list[AccountPlanReviewOut]
    levels: list[AccountPlanLevelOut]
    health: AccountPlanHealthOut


class AccountPlanChangeOut(Schema):
    """What became of a change: applied at once, waiting for the manager, or split."""

    status: str = Field(description="applied | pending | partly | unchanged")
    applied: list[str] = Field(description="The fields applied at once.")
    pending: AccountPlanPendingOut | None = Field(description="The part that waits, if any.")
    id: int | None = Field(
        description="The plan, goal or action changed or added (null when "
        "an addition waits for approval)."
    )
    warnings: list[str] = Field(description="E.g. the actions' costs past the budget.")


class AccountPlanFilter(Schema):
    status: str = ""
    level: str = ""
    review_due: bool = False
    client_id: int | None = None


class AccountPlanIn(Schema):
    client_id: int
    title: str
    starts_on: date
    ends_on: date
    owner_id: int | None = Field(None, description="The KAM; default: the client's KAM.")
    person_id: int | None = Field(
        None, description="A VIP/KOL project: one of the client's people."
    )
    review_every_days: int = Field(30, description="1..366")
    budget: Decimal = Field(
        Decimal(0), description="Waits for approval unless the manager sets it."
    )
    status: str = "draft"


class AccountPlanPatch(Schema):
    title: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    review_every_days: int | None = None
    status: str | None = None
    person_id: int | None = None


class AccountPlanBudgetIn(Schema):
    budget: Decimal


class AccountPlanGoalIn(Schema):
    text: str
    target_value: Decimal
    due_on: date
    measure: str = ""
    current_value: Decimal = Decimal(0)
    status: str = "on_track"


class AccountPlanGoalPatch(Schema):
    text: str | None = None
    measure: str | None = None
    target_value: Decimal | None = None
    current_value: Decimal | None = None
    due_on: date | None = None
    status: str | None = None


class AccountPlanActionIn(Schema):
    text: str
    owner_id: int
    due_on: date
    goal_id: int | None = None
    cost: Decimal = Decimal(0)


class AccountPlanActionPatch(Schema):
    text: str | None = None
    owner_id: int | None = None
    due_on: date | None = None
    goal_id: int | None = None
    cost: Decimal | None = None
    progress: int | None = None
    done_on: date | None = None


class AccountPlanDoneIn(Schema):
    done_on: date | None = Field(None, description="Default today; never in the future.")


class AccountPlanLevelIn(Schema):
    level: str = Field(description="D1 | D2 | D3 | D4")
    reason: str = ""


class AccountPlanReviewIn(Schema):
    on: date | None = None
    notes: str = ""


class AccountPlanDecisionIn(Schema):
    note: str = ""

"""Input and output schemas of the relations API. They only parse; the services decide (bounds,
stages, the self and duplicate relation) and refuse naming the field. Names start with
Profile or Relation: schema names are unique across the apps' OpenAPI components."""

from datetime import date

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

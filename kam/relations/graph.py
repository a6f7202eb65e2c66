"""The influence map's arithmetic (AC-5), pure: plain people and links in, plain answers out.

- **Influence** is PageRank (damping 0.85) over the "influences" and "reports_to" links,
  weighted by their strength (1..5). Rank flows to whoever is influential: "A influences B"
  counts as B pointing at A, "A reports to B" as A pointing at B. Allies and rivals do not
  move rank (they say which side someone is on, not who carries weight). A person without
  links keeps the teleport share. Scores sum to 1.
- **Leaning**: to a competitor when a competitor was active with the person recently and their
  loyalty is 2 or less; otherwise to us when their loyalty is 4 or more or the relationship is
  at the loyalty or near-friendly stage; otherwise neutral. The **balance of power** adds up
  the influence of each side.
- **What changes it**: over the links that carry a path (all but "rivals with", direction
  ignored), a person X whose leaving disconnects Y from a decision maker Z: "if X leaves, Y
  loses their only path to Z" (X is a cut vertex between Y and Z). Found from networkx's
  articulation points and the components left without each.

networkx carries the graph (articulation points, components); PageRank is the power iteration
written out below, since networkx's own needs numpy and scipy, which KAM does not ship.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

US = "us"
COMPETITOR = "competitor"
NEUTRAL = "neutral"
RANKED_KINDS = ("influences", "reports_to")
PATH_KINDS = ("influences", "reports_to", "allies_with")
WARM_STAGES = ("loyalty", "near_friendly")
DAMPING = 0.85


@dataclass(frozen=True)
class Person:
    id: int
    decides: bool = False  # a decision maker (or the head others report to)
    stage: str = "contact"
    loyalty: int | None = None  # 1..5, None: not known
    competitor_recent: bool = False  # a competitor was active with them recently


@dataclass(frozen=True)
class Link:
    source: int
    target: int
    kind: str  # reports_to | influences | allies_with | rivals_with
    strength: int = 3


@dataclass(frozen=True)
class Balance:
    us: float  # the sum of the influence of the people leaning to us
    competitors: float
    neutral: float
    leaning: dict[int, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return self.us + self.competitors + self.neutral

    @property
    def us_share(self) -> float:
        return self.us / self.total if self.total else 0.0

    @property
    def competitors_share(self) -> float:
        return self.competitors / self.total if self.total else 0.0

    @property
    def tilt(self) -> str:
        """Which side holds more influence: us, competitor, or neutral (even)."""
        if abs(self.us - self.competitors) < 1e-9:
            return NEUTRAL
        return US if self.us > self.competitors else COMPETITOR


@dataclass(frozen=True)
class CutPath:
    """If ``leaver`` leaves, each of ``cut_off`` loses their only path to ``target``."""

    leaver: int
    target: int
    cut_off: tuple[int, ...]


def influence_scores(
    people: Iterable[Person], links: Iterable[Link], *, damping: float = DAMPING
) -> dict[int, float]:
    """Each person's PageRank over the "influences" and "reports_to" links (module docstring)."""
    ids = sorted({p.id for p in people})
    if not ids:
        return {}
    known = set(ids)
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    for link in links:
        if link.kind not in RANKED_KINDS or link.source == link.target:
            continue
        if link.source not in known or link.target not in known:
            continue
        u, v = (
            (link.target, link.source) if link.kind == "influences" else (link.source, link.target)
        )
        weight = graph[u][v]["weight"] + link.strength if graph.has_edge(u, v) else link.strength
        graph.add_edge(u, v, weight=weight)
    return _pagerank(graph, damping)


def _pagerank(graph: nx.DiGraph, damping: float, *, tol: float = 1e-10) -> dict[int, float]:
    n = graph.number_of_nodes()
    out_weight = {u: sum(w for _, _, w in graph.out_edges(u, data="weight")) for u in graph}
    dangling = [u for u, w in out_weight.items() if w == 0]
    x = dict.fromkeys(graph, 1.0 / n)
    for _ in range(1000):
        last = x
        x = dict.fromkeys(graph, 0.0)
        spread = damping * sum(last[u] for u in dangling) / n + (1.0 - damping) / n
        for u in graph:
            if out_weight[u]:
                share = damping * last[u] / out_weight[u]
                for _, v, w in graph.out_edges(u, data="weight"):
                    x[v] += share * w
        for u in x:
            x[u] += spread
        if sum(abs(x[u] - last[u]) for u in x) < n * tol:
            break
    return x


def influence_ranking(people: Iterable[Person], links: Iterable[Link]) -> list[tuple[int, float]]:
    """(person id, score), most influential first (ties by id)."""
    scores = influence_scores(list(people), list(links))
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def leaning(person: Person) -> str:
    """us, competitor or neutral (the module docstring says how)."""
    if person.competitor_recent and person.loyalty is not None and person.loyalty <= 2:
        return COMPETITOR
    if (person.loyalty is not None and person.loyalty >= 4) or person.stage in WARM_STAGES:
        return US
    return NEUTRAL


def balance_of_power(
    people: Iterable[Person], links: Iterable[Link], *, scores: dict[int, float] | None = None
) -> Balance:
    """The influence leaning to us, to competitors and neither."""
    people = list(people)
    scores = influence_scores(people, list(links)) if scores is None else scores
    sums = {US: 0.0, COMPETITOR: 0.0, NEUTRAL: 0.0}
    sides = {}
    for p in people:
        side = leaning(p)
        sides[p.id] = side
        sums[side] += scores.get(p.id, 0.0)
    return Balance(us=sums[US], competitors=sums[COMPETITOR], neutral=sums[NEUTRAL], leaning=sides)


def cut_paths(people: Iterable[Person], links: Iterable[Link]) -> list[CutPath]:
    """Each person whose leaving cuts someone off from a decision maker, with whom and whom
    from; the widest cuts first."""
    people = list(people)
    graph = nx.Graph()
    graph.add_nodes_from(p.id for p in people)
    for link in links:
        ends_known = link.source in graph and link.target in graph
        if link.kind in PATH_KINDS and link.source != link.target and ends_known:
            graph.add_edge(link.source, link.target)
    deciders = sorted(p.id for p in people if p.decides)
    found: list[CutPath] = []
    for leaver in sorted(nx.articulation_points(graph)):
        reach = nx.node_connected_component(graph, leaver)
        rest = graph.subgraph(reach - {leaver})
        part: dict[int, int] = {}
        for i, component in enumerate(nx.connected_components(rest)):
            for node in component:
                part[node] = i
        by_target: dict[int, list[int]] = defaultdict(list)
        for target in deciders:
            if target == leaver or target not in part:
                continue
            for node in sorted(part):
                if node != target and part[node] != part[target]:
                    by_target[target].append(node)
        for target, cut_off in by_target.items():
            found.append(CutPath(leaver=leaver, target=target, cut_off=tuple(cut_off)))
    return sorted(found, key=lambda c: (-len(c.cut_off), c.leaver, c.target))

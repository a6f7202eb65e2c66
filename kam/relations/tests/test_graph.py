"""The influence map's arithmetic on hand-made graphs with answers worked out by hand."""

import pytest

from kam.relations.graph import (
    COMPETITOR,
    NEUTRAL,
    US,
    Link,
    Person,
    balance_of_power,
    cut_paths,
    influence_ranking,
    influence_scores,
    leaning,
)


def test_pagerank_of_one_report_by_hand():
    # 1 reports to 2: 2 is dangling and spreads evenly. x1 = 0.075 + 0.425 x2, x2 = 1 - x1
    # -> 1.425 x1 = 0.5 -> x1 = 0.350877..., x2 = 0.649122...
    scores = influence_scores([Person(1), Person(2)], [Link(1, 2, "reports_to", 3)])
    assert scores[1] == pytest.approx(0.5 / 1.425, abs=1e-8)
    assert scores[2] == pytest.approx(1 - 0.5 / 1.425, abs=1e-8)


def test_influences_counts_for_the_influencer_and_allies_do_not_rank():
    # "1 influences 2" is the same as "2 reports to 1"; an alliance moves nothing.
    a = influence_scores([Person(1), Person(2)], [Link(1, 2, "influences", 2)])
    b = influence_scores([Person(1), Person(2)], [Link(2, 1, "reports_to", 2)])
    assert a == pytest.approx(b)
    assert a[1] > a[2]
    alone = influence_scores([Person(1), Person(2)], [Link(1, 2, "allies_with", 5)])
    assert alone == pytest.approx({1: 0.5, 2: 0.5})


def test_ranking_head_first_then_the_stronger_tie():
    # 2, 3, 4 report to 1; 5 reports to 2 with strength 5, to 3 with strength 1.
    people = [Person(i) for i in range(1, 6)]
    links = [
        Link(2, 1, "reports_to"),
        Link(3, 1, "reports_to"),
        Link(4, 1, "reports_to"),
        Link(5, 2, "reports_to", 5),
        Link(5, 3, "reports_to", 1),
    ]
    order = [pid for pid, _score in influence_ranking(people, links)]
    assert order == [1, 2, 3, 4, 5]
    assert sum(s for _p, s in influence_ranking(people, links)) == pytest.approx(1.0)


def test_leaning():
    assert leaning(Person(1, loyalty=4)) == US
    assert leaning(Person(1, stage="near_friendly")) == US
    assert leaning(Person(1, loyalty=2, competitor_recent=True)) == COMPETITOR
    # competitor activity with a loyal person, or a low score without competitors: neutral/us
    assert leaning(Person(1, loyalty=2)) == NEUTRAL
    assert leaning(Person(1, loyalty=5, competitor_recent=True)) == US
    # a warm stage but a low score and a competitor at work: the competitor's
    assert leaning(Person(1, stage="loyalty", loyalty=1, competitor_recent=True)) == COMPETITOR


def test_balance_adds_the_influence_of_each_side():
    people = [
        Person(1, loyalty=5),
        Person(2, loyalty=1, competitor_recent=True),
        Person(3),
    ]
    links = [Link(2, 1, "reports_to"), Link(3, 1, "reports_to")]
    scores = influence_scores(people, links)
    balance = balance_of_power(people, links)
    assert balance.us == pytest.approx(scores[1])
    assert balance.competitors == pytest.approx(scores[2])
    assert balance.neutral == pytest.approx(scores[3])
    assert balance.tilt == US
    assert balance.leaning == {1: US, 2: COMPETITOR, 3: NEUTRAL}
    # given scores: 0.25 + 0.25 on our side against 0.5
    given = balance_of_power(people, links, scores={1: 0.25, 2: 0.5, 3: 0.25})
    assert (given.us, given.competitors, given.us_share) == (0.25, 0.5, 0.25)
    assert given.tilt == COMPETITOR


def test_if_x_leaves_y_loses_their_only_path_to_z():
    # 10 is the head. 20 reports to 10, 30 influences 20, 40 allies with 30; 50 reports to 10
    # and to 20 as well (two paths); 60 rivals with 10 (no path).
    people = [Person(10, decides=True), *(Person(i) for i in (20, 30, 40, 50, 60))]
    links = [
        Link(20, 10, "reports_to"),
        Link(30, 20, "influences"),
        Link(40, 30, "allies_with"),
        Link(50, 10, "reports_to"),
        Link(50, 20, "reports_to"),
        Link(60, 10, "rivals_with"),
    ]
    cuts = cut_paths(people, links)
    assert cuts == [
        # if 20 leaves, 30 and 40 lose their only path to 10 (50 still reaches 10 directly)
        type(cuts[0])(leaver=20, target=10, cut_off=(30, 40)),
        # if 30 leaves, 40 does
        type(cuts[0])(leaver=30, target=10, cut_off=(40,)),
    ]


def test_no_cut_on_a_ring_and_the_decider_leaving_is_no_path_lost():
    ring = [Person(1, decides=True), Person(2), Person(3), Person(4)]
    links = [
        Link(1, 2, "allies_with"),
        Link(2, 3, "allies_with"),
        Link(3, 4, "allies_with"),
        Link(4, 1, "allies_with"),
    ]
    assert cut_paths(ring, links) == []
    star = [Person(1, decides=True), Person(2), Person(3)]
    assert cut_paths(star, [Link(2, 1, "reports_to"), Link(3, 1, "reports_to")]) == []


def test_two_deciders_each_cut_off_separately():
    # 1 - 2 - 3 with both ends deciding: if 2 leaves, 3 loses 1 and 1 loses 3.
    people = [Person(1, decides=True), Person(2), Person(3, decides=True)]
    links = [Link(1, 2, "influences"), Link(2, 3, "influences")]
    cuts = cut_paths(people, links)
    assert [(c.leaver, c.target, c.cut_off) for c in cuts] == [(2, 1, (3,)), (2, 3, (1,))]


def test_empty():
    assert influence_ranking([], []) == []
    assert balance_of_power([], []).us_share == 0.0
    assert cut_paths([], []) == []

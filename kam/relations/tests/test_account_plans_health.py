"""The plan health score on known inputs, computed by hand (pure: no database)."""

from decimal import Decimal

from kam.relations.health import WEIGHTS, plan_health


def test_weights_add_up_to_a_hundred():
    assert sum(WEIGHTS.values()) == 100


def test_every_part_known():
    # goals 3/4 = 0.75 * 40 = 30; actions 1 - 2/5 = 0.6 * 25 = 15;
    # contact 45 days against 30: 1 - 15/30 = 0.5 * 15 = 7.5;
    # income 8 000 against 10 000: -20 %, 1 - 0.4 = 0.6 * 20 = 12. Sum 64.5 -> 65 (half up).
    h = plan_health(
        goals_on_track=3,
        goals_total=4,
        actions_overdue=2,
        actions_total=5,
        days_since_contact=45,
        rhythm_days=30,
        income_last=Decimal("8000"),
        income_before=Decimal("10000"),
        currency="EUR",
    )
    assert h.score == 65
    assert h.reasons == [
        "3 of 4 goals are on track or done.",
        "2 of 5 actions are overdue.",
        "The last contact was 45 days ago; the client's rhythm is a contact every 30 days.",
        "The client's income in the last 6 months is 8000 EUR against 10000 in the 6 before "
        "(-20%).",
    ]


def test_unknown_parts_are_left_out_and_said_so():
    # goals 1/2 = 0.5 * 40 = 20; actions 0 overdue of 1: 25; contact and income unknown.
    # 45 of 65 known points -> 69.23 -> 69
    h = plan_health(goals_on_track=1, goals_total=2, actions_overdue=0, actions_total=1)
    assert h.score == 69
    assert h.reasons[2] == "The last contact against the client's rhythm is not known here."
    assert h.reasons[3] == "The client had no income in the last 12 months to compare."
    assert [p.score for p in h.parts][2:] == [None, None]


def test_nothing_known_gives_no_score():
    h = plan_health(goals_on_track=0, goals_total=0, actions_overdue=0, actions_total=0)
    assert h.score is None
    assert h.reasons[:2] == ["The plan has no goals yet.", "The plan has no actions yet."]


def test_contact_past_twice_the_rhythm_and_income_halved_score_zero():
    h = plan_health(
        goals_on_track=0,
        goals_total=1,
        actions_overdue=3,
        actions_total=3,
        days_since_contact=70,
        rhythm_days=30,
        income_last=Decimal("500"),
        income_before=Decimal("1000"),
    )
    assert h.score == 0


def test_growing_income_and_a_fresh_contact_score_full():
    h = plan_health(
        goals_on_track=2,
        goals_total=2,
        actions_overdue=0,
        actions_total=4,
        days_since_contact=10,
        rhythm_days=14,
        income_last=Decimal("1200"),
        income_before=Decimal("1000"),
    )
    assert h.score == 100
    assert h.reasons[3].endswith("(+20%).")
    assert h.reasons[0] == "2 of 2 goals are on track or done."

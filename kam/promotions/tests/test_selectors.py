"""Which programmes a user sees: those touching a client they see (SE-1)."""

import pytest
from django.http import Http404

from kam.promotions.selectors import promotion_get, promotion_list
from kam.promotions.tests.conftest import propose


def test_a_kam_sees_a_programme_over_their_client_and_another_kam_does_not(org, book):
    promotion = propose(org.head_north, book)
    assert list(promotion_list(user=org.kam_anna)) == [promotion]
    assert promotion_get(user=org.kam_anna, pk=promotion.pk) == promotion
    assert list(promotion_list(user=org.kam_sigrid)) == []
    with pytest.raises(Http404):
        promotion_get(user=org.kam_sigrid, pk=promotion.pk)
    with pytest.raises(Http404):
        promotion_get(user=org.kam_sigrid, pk=promotion.pk + 1000)
    assert list(promotion_list(user=org.director)) == [promotion]


def test_a_segment_programme_is_seen_by_the_segments_kams(org, book):
    promotion = propose(org.director, book, accounts=[], segments=[book.other_segment.pk])
    # C5 (Anna's) is the other segment's only client.
    assert list(promotion_list(user=org.kam_anna)) == [promotion]
    assert list(promotion_list(user=org.kam_sigrid)) == []


def test_the_list_makes_a_fixed_number_of_queries(org, book, django_assert_max_num_queries):
    for i in range(5):
        propose(org.head_north, book, name=f"P{i}")
    with django_assert_max_num_queries(3):
        rows = [
            (p.name, str(p.proposed_by), str(p.approved_by))
            for p in promotion_list(user=org.kam_anna)
        ]
    assert len(rows) == 5

"""A page of a long list without counting all of it (issue 7 §3).

A client list of 100 000 rows must not count every row nor compute figures for rows it skips:
``capped_page`` counts up to ``COUNT_CAP`` rows (or just past the page asked for), reads the
page's ids alone, and leaves the caller to fetch the figures of those ids only.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from kam.core.bounds import clamp_page
from kam.core.cache_versions import cached

COUNT_CAP = 10_000


@dataclass
class CappedPage:
    number: int
    per_page: int
    count: int  # rows counted (up to the cap)
    capped: bool  # there are more than ``count`` rows
    ids: list[int]
    object_list: list = field(default_factory=list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.capped or self.number < self.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def capped_page(qs: QuerySet, *, number, per_page: int, cap: int | None = None) -> CappedPage:
    """The ids of page ``number`` of ``qs`` (in its order) and a count capped at ``cap`` rows
    or one row past the page, whichever is more. A page past the end shows the last page."""
    cap = COUNT_CAP if cap is None else cap
    try:
        number = clamp_page(int(number))
    except (TypeError, ValueError):
        number = 1

    def compute() -> CappedPage:
        page, offset = number, (number - 1) * per_page
        limit = max(cap, offset + per_page)
        count = qs.order_by().values("pk")[: limit + 1].count()
        capped = count > limit
        count = min(count, limit)
        if page > 1 and offset >= count:
            page = max(1, -(-count // per_page))
            offset = (page - 1) * per_page
        ids = list(qs.values_list("pk", flat=True)[offset : offset + per_page])
        return CappedPage(number=page, per_page=per_page, count=count, capped=capped, ids=ids)

    # The query's SQL names the reader's scope, the filters and the order: a page is cached
    # under it until the next write (kam.core.cache_versions).
    return cached(("page", str(qs.query), number, per_page, cap), compute)

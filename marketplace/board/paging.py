"""The board's pager, which counts the matches only as far as it needs to.

Counting every match of a search on a board of 100,000 costs far more than finding the
20 shown, and nobody pages through a thousand opportunities. So the pager counts up to
1,000, or to the end of the page asked for when that is further, and one more: past
that it says "more than 1,000" and still offers the next page."""

import math
from functools import cached_property
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_UP_TO = 1_000
FURTHEST_PAGE = 1_000_000  # a page number asked for beyond it is counted as this one


class BoardPaginator(Paginator):
    """A Paginator whose `count` stops at `counted_to` + 1. `more` says it stopped there:
    then `total` is a floor ("more than `total`") and `pages` the pages counted, with at
    least one after them."""

    def __init__(self, object_list: Any, per_page: int, *, asked: object = None) -> None:
        super().__init__(object_list, per_page)
        self.counted_to = max(COUNT_UP_TO, per_page * _page_number(asked))

    @cached_property
    def count(self) -> int:
        # The order does not change how many there are, and leaving it out lets
        # PostgreSQL stop at any counted_to + 1 matches rather than the first ones; nor do
        # the columns shown (places left, the next shift), which it need not work out.
        found = cast(QuerySet[Any], self.object_list)
        return int(found.order_by().values("pk")[: self.counted_to + 1].count())

    @property
    def more(self) -> bool:
        return self.count > self.counted_to

    @property
    def total(self) -> int:
        return min(self.count, self.counted_to)

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)


def _page_number(asked: object) -> int:
    """The page asked for, as `Paginator.get_page` will read it: anything but a whole
    number above 0 is the first (a page past the last is counted to, then the last)."""
    try:
        number = int(str(asked))
    except ValueError:
        return 1
    return min(number, FURTHEST_PAGE) if number > 0 else 1

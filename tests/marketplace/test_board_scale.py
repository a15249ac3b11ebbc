"""The board at town scale: what its search reads is kept by the database, and its
pager stops counting where nobody pages to, saying "more than" rather than a total."""

import pytest
from django.test import Client

from marketplace.board import paging
from marketplace.board.models import Opportunity
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db


def test_words_changed_by_any_write_are_searched_at_once(client: Client) -> None:
    shift = make_shift(title="Litter pick by the river")
    # Not through save(): the database keeps the stored search column itself.
    Opportunity.objects.filter(pk=shift.opportunity_id).update(title="Beekeeping taster")
    found = client.get("/api/v1/opportunities", {"q": "beekeeping"}).json()
    assert [r["id"] for r in found["results"]] == [shift.opportunity_id]
    assert client.get("/api/v1/opportunities", {"q": "litter"}).json()["count"] == 0


def test_past_what_it_counts_the_board_says_more_than_and_still_pages_on(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_UP_TO", 4)  # a town's 1,000, made small
    group = make_group()
    for n in range(25):
        make_shift(group=group, title=f"Litter pick {n}", days_ahead=2 + n)

    first = client.get("/api/v1/opportunities").json()
    # Counted to one page (20) and one more: "more than 20", with a next page.
    assert (first["count"], first["more"], first["pages"]) == (20, True, 1)
    assert len(first["results"]) == 20
    second = client.get("/api/v1/opportunities", {"page": 2}).json()
    assert (second["count"], second["more"], second["pages"], second["page"]) == (25, False, 2, 2)
    shown = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(shown)) == 25

    page = client.get("/opportunities/").content.decode()
    assert "More than 20 opportunities" in page
    assert "Page 1 of more than 1" in page
    assert "page=2" in page  # the next page's link

"""The board's search on a phone: what each card says of the next shift (places left,
coins it earns), the access filters, the form folded after a search, the search kept
by an opportunity's "Back" link, and "near me" defaulting to a resident's postcode."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coins.models import Scheme
from marketplace.board.models import Shift, Signup
from marketplace.board.selectors import BoardQuery, opportunity_search
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db

CENTRE = (53.80771, -1.56653)  # BK3 2AA, the demo town's centre
FAR = (51.5, -0.12)


def brackens(**rules: Any) -> Scheme:
    """The test town's scheme, its coin called the Bracken."""
    group = make_group()
    Scheme.objects.filter(pk=group.scheme_id).update(coin_name="Bracken", **rules)
    return Scheme.objects.get(pk=group.scheme_id)


def fill(shift: Shift, places: int) -> None:
    for n in range(places):
        user = make_user(f"taken-{shift.pk}-{n}@example.org")
        Signup.objects.create(shift=shift, user=user, status=Signup.State.CONFIRMED)


def card_of(page: str, title: str) -> str:
    """The text of the result card whose heading is `title`."""
    found = re.search(rf'<li class="result card">(?:(?!</li>).)*?>{title}</a>.*?</li>', page, re.S)
    assert found, f"no card for {title}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(0)))


# --- the selector ---


def test_each_result_carries_its_next_shifts_places_left_and_the_coins_it_earns() -> None:
    brackens(coins_per_hour=12)
    shift = make_shift(title="Litter pick", capacity=5, hours=3)
    fill(shift, 2)
    later = Shift.objects.create(
        opportunity=shift.opportunity,
        start=shift.start + timedelta(days=7),
        end=shift.start + timedelta(days=7, minutes=90),
        capacity=4,
    )
    found = opportunity_search(BoardQuery()).get()
    assert (found.next_places_left, found.next_minutes, found.next_coins) == (3, 180, 36)

    # Asking for the later week, the card speaks of the shift that fits, not the first.
    day = timezone.localdate(later.start)  # the board's days are the town's
    week = BoardQuery(date_from=day, date_to=day)
    found = opportunity_search(week).get()
    assert (found.next_places_left, found.next_minutes, found.next_coins) == (4, 90, 18)


def test_a_full_next_shift_has_no_places_left_unless_free_places_are_asked_for() -> None:
    brackens()
    shift = make_shift(capacity=2, days_ahead=2)
    fill(shift, 2)
    Shift.objects.create(
        opportunity=shift.opportunity,
        start=shift.start + timedelta(days=1),
        end=shift.end + timedelta(days=1),
        capacity=6,
    )
    assert opportunity_search(BoardQuery()).get().next_places_left == 0
    assert opportunity_search(BoardQuery(has_places=True)).get().next_places_left == 6


def test_coins_for_a_shift_are_rounded_down_as_minting_rounds_them() -> None:
    brackens(coins_per_hour=7)
    make_shift(hours=1)  # 7 an hour
    shift = Shift.objects.get()
    Shift.objects.filter(pk=shift.pk).update(end=shift.start + timedelta(minutes=50))
    assert (
        opportunity_search(BoardQuery()).get().next_coins == 5
    )  # 50 minutes at 7 an hour, rounded down


@pytest.mark.parametrize("need", ["step_free", "seated", "remote_friendly"])
def test_every_access_need_an_opportunity_records_can_be_filtered_on(need: str) -> None:
    wanted: dict[str, Any] = {need: True}
    make_shift(title="Has it", **wanted)
    make_shift(title="Lacks it")
    found = opportunity_search(BoardQuery(**wanted))
    assert [o.title for o in found] == ["Has it"]
    assert opportunity_search(BoardQuery()).count() == 2


def test_the_search_page_asks_the_database_the_same_number_of_times_for_many_cards(
    client: Client,
) -> None:
    brackens()

    def queries_for_the_board() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/opportunities/", {"q": "litter"}).status_code == 200
        return len(captured)

    make_shift()
    one = queries_for_the_board()
    for n in range(6):
        make_shift(days_ahead=4 + n)
    assert queries_for_the_board() == one


# --- the page ---


def test_cards_say_the_places_left_and_the_coins_in_the_schemes_name(client: Client) -> None:
    brackens(coins_per_hour=10)
    fill(make_shift(title="Litter pick", capacity=5, hours=3), 2)
    fill(make_shift(title="Book sorting", capacity=1, hours=2), 1)
    page = client.get("/opportunities/").content.decode()
    assert "3 places left · earns 30 Brackens" in card_of(page, "Litter pick")
    assert "Full: join the waiting list · earns 20 Brackens" in card_of(page, "Book sorting")


def test_a_participation_only_scheme_says_hours_not_coins(client: Client) -> None:
    brackens(participation_only=True)
    make_shift(title="Litter pick", capacity=1, hours=3)
    card = card_of(client.get("/opportunities/").content.decode(), "Litter pick")
    assert "1 place left · 3 hours of volunteering" in card
    assert "Bracken" not in card and "earns" not in card


def test_after_a_search_the_form_folds_into_a_line_saying_what_was_asked(
    client: Client,
) -> None:
    make_shift(title="Community gardening", latitude=CENTRE[0], longitude=CENTRE[1])
    before = client.get("/opportunities/").content.decode()
    assert '<details class="search-panel" open>' in before

    page = client.get(
        "/opportunities/", {"q": "garden", "postcode": "bk3 2aa", "miles": "3", "seated": ""}
    ).content.decode()
    assert '<details class="search-panel">' in page  # folded
    summary = re.search(r"<summary>(.*?)</summary>", page, re.S)
    assert summary
    assert re.sub(r"<[^>]+>", "", summary.group(1)) == (
        "“garden” · within 3 miles of BK3 2AA · change"
    )
    assert page.index("</summary>") < page.index('name="q"')  # the form is inside it

    wrong = client.get("/opportunities/", {"postcode": "ZZ9 9ZZ"}).content.decode()
    assert '<details class="search-panel" open>' in wrong  # open to put it right


def test_the_access_needs_are_check_boxes_in_the_filters(client: Client) -> None:
    make_shift(title="Knitting circle", seated=True)
    make_shift(title="Phone befriending", remote_friendly=True)
    page = client.get("/opportunities/").content.decode()
    for label in ("Step-free access", "Can be done seated", "Can be done from home"):
        assert f">{label}</label>" in page
    seated = client.get("/opportunities/", {"seated": "on"}).content.decode()
    assert "Knitting circle" in seated and "Phone befriending" not in seated
    assert "Can be done seated" in re.search(r"<summary>(.*?)</summary>", seated, re.S)[0]  # type: ignore[index]
    home = client.get("/opportunities/", {"remote_friendly": "on"}).content.decode()
    assert "Phone befriending" in home and "Knitting circle" not in home


def test_an_opportunitys_back_link_returns_to_the_search_it_came_from(client: Client) -> None:
    shift = make_shift(title="Community gardening", latitude=CENTRE[0], longitude=CENTRE[1])
    page = client.get("/opportunities/", {"q": "garden", "postcode": "BK3 2AA", "page": "1"})
    link = re.search(
        r'<a href="(/opportunities/\d+/\?back=[^"]+)">Community gardening', page.content.decode()
    )
    assert link, "the card links on with the search"
    detail = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    back = re.search(r'<a href="([^"]*)">Back to all opportunities', detail)
    assert back
    returned = client.get(back.group(1).replace("&amp;", "&")).content.decode()
    assert 'value="garden"' in returned and 'value="BK3 2AA"' in returned

    plain = client.get(f"/opportunities/{shift.opportunity_id}/").content.decode()
    assert '<a href="/opportunities/">Back to all opportunities' in plain


@pytest.mark.parametrize(
    "back", ["https://evil.example/", "//evil.example/x", "q=garden&next=//evil.example"]
)
def test_the_back_link_only_ever_leads_to_the_board(client: Client, back: str) -> None:
    shift = make_shift()
    detail = client.get(f"/opportunities/{shift.opportunity_id}/", {"back": back})
    link = re.search(r'<a href="([^"]*)">Back to all opportunities', detail.content.decode())
    assert link
    assert link.group(1).startswith("/opportunities/")
    assert "evil" not in link.group(1)


def test_near_me_starts_at_a_residents_saved_postcode_and_says_so(client: Client) -> None:
    make_shift(title="Near gardening", latitude=CENTRE[0], longitude=CENTRE[1])
    make_shift(title="Far gardening", latitude=FAR[0], longitude=FAR[1])
    client.force_login(make_user("near@example.org", postcode="BK3 2AA"))
    page = client.get("/opportunities/").content.decode()
    assert "Near gardening" in page and "Far gardening" not in page
    assert "within 5 miles of BK3 2AA, your postcode · change" in re.sub(r"<[^>]+>", "", page)
    assert 'value="BK3 2AA"' in page  # in the box, to change or clear

    # A search sent says where (a cleared postcode box means anywhere), as links do.
    anywhere = client.get("/opportunities/", {"q": "", "postcode": ""}).content.decode()
    assert "Far gardening" in anywhere
    tasters = client.get("/opportunities/", {"q": "gardening"}).content.decode()
    assert "Far gardening" in tasters


def test_near_me_is_left_out_for_a_postcode_we_do_not_know(client: Client) -> None:
    make_shift(title="Far gardening", latitude=FAR[0], longitude=FAR[1])
    client.force_login(make_user("nowhere@example.org", postcode="ZZ9 9ZZ"))
    page = client.get("/opportunities/").content.decode()
    assert "Far gardening" in page and "There is a problem" not in page


# --- the API shares the form ---


def test_the_api_filters_on_every_access_need_and_gives_places_and_coins(
    client: Client,
) -> None:
    brackens(coins_per_hour=10)
    fill(make_shift(title="Knitting circle", seated=True, capacity=4, hours=2), 1)
    make_shift(title="Phone befriending", remote_friendly=True)
    body = client.get("/api/v1/opportunities", {"seated": "true"}).json()
    assert [r["title"] for r in body["results"]] == ["Knitting circle"]
    knitting = body["results"][0]
    assert (knitting["seated"], knitting["places_left"], knitting["shift_minutes"]) == (
        True,
        3,
        120,
    )
    assert knitting["coins"] == 20
    home = client.get("/api/v1/opportunities", {"remote_friendly": "true"}).json()
    assert [r["title"] for r in home["results"]] == ["Phone befriending"]

"""One town per board: a resident of Brackenford never sees Fernley's opportunities,
offers, shops, campaigns or wallet on Brackenford's pages; visitors pick a town; sign-up
takes the town from the postcode; a resident may move and keeps what they earned."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.models import Residence, Scheme
from coins.residence import residence_set
from marketplace.board.models import Campaign, CommunityGroup, Opportunity, SavedSearch
from marketplace.board.services.searches import saved_searches_match
from marketplace.organisations import Status
from marketplace.rewards.models import Offer, Retailer
from places.loader import postcodes_second_sample_load
from tests.accounts.test_signup import signup, verification_link
from tests.coins.factories import give_coins
from tests.conftest import make_user
from tests.marketplace.factories import make_offer, make_retailer, make_shift

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@dataclass
class Town:
    scheme: Scheme
    opportunity: Opportunity
    offer: Offer
    shop: Retailer
    campaign: Campaign


def a_town(slug: str, name: str, coin: str, word: str) -> Town:
    """A town whose every thing has `word` in its name, so a page shows whose it is."""
    scheme, _ = Scheme.objects.get_or_create(slug=slug, defaults={"name": name, "coin_name": coin})
    group = CommunityGroup.objects.create(
        scheme=scheme, name=f"{word} Friends", slug=f"{slug}-friends", status=Status.VERIFIED
    )
    campaign = Campaign.objects.create(
        scheme=scheme,
        name=f"{word} Spring Clean",
        slug=f"{slug}-spring-clean",
        text="Tidy the town.",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=14),
    )
    shift = make_shift(group=group, title=f"{word} litter pick", campaign=campaign)
    shop = make_retailer(f"{word} Bakery", scheme=scheme)
    offer = make_offer(shop, title=f"{word} loaf", price=5)
    return Town(scheme, shift.opportunity, offer, shop, campaign)


@pytest.fixture
def towns() -> tuple[Town, Town]:
    return (
        a_town("brackenford", "Brackenford Citizen Coin", "Bracken", "Bracken"),
        a_town("fernley", "Fernley Citizen Coin", "Fern", "Fern"),
    )


@pytest.fixture
def brackenford_resident(client: Client, towns: tuple[Town, Town]) -> User:
    person = make_user("sam@example.org", display_name="Sam")
    residence_set(user=person, scheme=towns[0].scheme)
    client.force_login(person)
    return person


def test_the_board_lists_only_the_residents_towns_opportunities(
    client: Client, towns: tuple[Town, Town], brackenford_resident: User
) -> None:
    page = client.get("/opportunities/").content.decode()
    assert "Bracken litter pick" in page
    assert "Fern litter pick" not in page
    assert "In <strong>Brackenford Citizen Coin</strong>" in page  # and where to change it
    # A filter that only the other town's opportunity would match finds nothing.
    searched = client.get("/opportunities/", {"q": "Fern"}).content.decode()
    assert "Fern litter pick" not in searched


def test_the_search_api_lists_only_the_residents_towns_opportunities(
    client: Client, towns: tuple[Town, Town], brackenford_resident: User
) -> None:
    found = client.get("/api/v1/opportunities").json()
    assert [o["title"] for o in found["results"]] == ["Bracken litter pick"]
    # A resident asking for another town still gets their own.
    asked = client.get("/api/v1/opportunities", {"town": "fernley"}).json()
    assert [o["title"] for o in asked["results"]] == ["Bracken litter pick"]


def test_another_towns_opportunity_says_which_town_and_shows_nothing_of_it(
    client: Client, towns: tuple[Town, Town], brackenford_resident: User
) -> None:
    fern = towns[1].opportunity
    response = client.get(f"/opportunities/{fern.pk}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "This opportunity is in another town" in page
    assert "It belongs to <strong>Fernley Citizen Coin</strong>" in page
    assert "Fern litter pick" not in page and "Sign up" not in page
    assert client.get(f"/api/v1/opportunities/{fern.pk}").status_code == 404
    own = towns[0].opportunity
    assert client.get(f"/opportunities/{own.pk}/").status_code == 200


def test_rewards_list_only_the_residents_towns_offers_and_shops(
    client: Client, towns: tuple[Town, Town], brackenford_resident: User
) -> None:
    bracken, fern = towns
    page = client.get("/rewards/").content.decode()
    assert "Bracken loaf" in page and "Fern loaf" not in page
    offers = client.get("/api/v1/rewards/offers").json()
    assert [o["title"] for o in offers] == ["Bracken loaf"]
    for path in (f"/rewards/offers/{fern.offer.pk}/", f"/rewards/shops/{fern.shop.pk}/pay/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Fern loaf" not in response.content.decode()
        assert "Fernley Citizen Coin" in response.content.decode()
    assert client.get(f"/api/v1/rewards/offers/{fern.offer.pk}").status_code == 404
    assert client.get(f"/rewards/offers/{bracken.offer.pk}/").status_code == 200
    assert client.get(f"/rewards/shops/{bracken.shop.pk}/pay/").status_code == 200


def test_campaigns_list_only_the_residents_towns(
    client: Client, towns: tuple[Town, Town], brackenford_resident: User
) -> None:
    page = client.get("/campaigns/").content.decode()
    assert "Bracken Spring Clean" in page and "Fern Spring Clean" not in page
    response = client.get("/campaigns/fernley-spring-clean/")
    assert response.status_code == 404
    assert "Fern litter pick" not in response.content.decode()
    assert "This campaign is in another town" in response.content.decode()


def test_a_resident_who_moved_sees_the_new_towns_wallet_and_keeps_the_old_coins(
    client: Client, towns: tuple[Town, Town], brackenford_resident: User
) -> None:
    bracken, fern = towns
    give_coins(bracken.scheme, brackenford_resident, 25)
    give_coins(fern.scheme, brackenford_resident, 7)
    residence_set(user=brackenford_resident, scheme=fern.scheme)  # moved to Fernley

    page = client.get("/wallet/").content.decode()
    assert re.search(r"data-balance>7<", page), "opens on the wallet of the town they live in"
    assert "?scheme=brackenford" in page  # the coins from before are still theirs
    old = client.get("/wallet/", {"scheme": "brackenford"}).content.decode()
    assert re.search(r"data-balance>25<", old)
    # And the shop where those coins were earned still takes them.
    assert client.get(f"/rewards/offers/{bracken.offer.pk}/").status_code == 200
    assert "Bracken loaf" not in client.get("/rewards/").content.decode()


def test_a_saved_search_tells_only_residents_of_the_opportunitys_town(
    towns: tuple[Town, Town], brackenford_resident: User
) -> None:
    bracken, fern = towns
    search = SavedSearch.objects.create(user=brackenford_resident, query={}, summary="All")
    ids = [search.pk]
    assert saved_searches_match(opportunity_id=fern.opportunity.pk, search_ids=ids) == 0
    assert saved_searches_match(opportunity_id=bracken.opportunity.pk, search_ids=ids) == 1


def test_a_visitor_chooses_a_town_and_then_sees_only_its_board(
    client: Client, towns: tuple[Town, Town]
) -> None:
    first = client.get("/opportunities/").content.decode()
    assert "Choose your town" in first
    assert "litter pick" not in first  # no mixed board of both towns

    chosen = client.post("/town/", {"town": "fernley", "next": "/opportunities/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/opportunities/"
    page = client.get("/opportunities/").content.decode()
    assert "Fern litter pick" in page and "Bracken litter pick" not in page
    assert "Fern loaf" in client.get("/rewards/").content.decode()
    # A link that names a town shows that one.
    linked = client.get("/opportunities/", {"town": "brackenford"}).content.decode()
    assert "Bracken litter pick" in linked and "Fern litter pick" not in linked


def test_choosing_a_town_explains_a_bad_choice_and_never_leaves_the_site(
    client: Client, towns: tuple[Town, Town]
) -> None:
    missing = client.post("/town/", {"next": "/opportunities/"})
    assert missing.status_code == 200 and "Choose your town." in missing.content.decode()
    unknown = client.post("/town/", {"town": "atlantis"})
    assert "Choose one of the towns listed." in unknown.content.decode()
    away = client.post("/town/", {"town": "fernley", "next": "https://evil.example/"})
    assert away["Location"] == "/town/"


def test_signing_up_with_a_postcode_in_a_towns_ward_makes_the_resident_that_towns(
    client: Client, towns: tuple[Town, Town]
) -> None:
    postcodes_second_sample_load(scheme=towns[1].scheme)  # Fernley's wards and postcodes
    signup(client, email="new.fern@example.org", postcode="fn2 1aa")
    person = User.objects.get(email="new.fern@example.org")
    assert Residence.objects.get(user=person).scheme == towns[1].scheme
    client.post(verification_link())
    page = client.get("/opportunities/", {"q": "litter"}).content.decode()
    assert "Fern litter pick" in page and "Bracken litter pick" not in page


def test_signing_up_elsewhere_takes_the_town_picked_while_looking_round(
    client: Client, towns: tuple[Town, Town]
) -> None:
    client.post("/town/", {"town": "brackenford"})
    signup(client, email="new.bracken@example.org", postcode="")
    person = User.objects.get(email="new.bracken@example.org")
    assert Residence.objects.get(user=person).scheme == towns[0].scheme


def test_someone_with_no_town_is_asked_and_their_choice_is_kept(
    client: Client, towns: tuple[Town, Town]
) -> None:
    signup(client, email="new.nowhere@example.org", postcode="")
    client.post(verification_link())
    person = User.objects.get(email="new.nowhere@example.org")
    assert not Residence.objects.filter(user=person).exists()
    assert "Choose your town" in client.get("/opportunities/").content.decode()
    client.post("/town/", {"town": "fernley"})
    assert Residence.objects.get(user=person).scheme == towns[1].scheme
    mail.outbox.clear()


def test_a_resident_changes_town_on_the_your_town_page(
    client: Client, towns: tuple[Town, Town], brackenford_resident: User
) -> None:
    page = client.get("/town/").content.decode()
    assert "You are seeing <strong>Brackenford Citizen Coin</strong>" in page
    assert re.search(r'<input[^>]*value="brackenford"[^>]*checked', page)
    client.post("/town/", {"town": "fernley"})
    assert Residence.objects.get(user=brackenford_resident).scheme == towns[1].scheme
    board = client.get("/opportunities/").content.decode()
    assert "Fern litter pick" in board and "Bracken litter pick" not in board

import pytest

from marketplace.board.models import GroupOrganiser, Opportunity
from marketplace.board.services.opportunities import opportunity_save
from marketplace.rewards.services.shops import retailer_register
from tests.coins.factories import make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import make_group

pytestmark = pytest.mark.django_db


def test_a_shop_takes_the_ward_and_point_of_its_postcode() -> None:
    shop = retailer_register(
        scheme=make_scheme(), by=make_user(), name="Corner Bakery", postcode="BK1 1AA"
    )
    assert (shop.ward.name, shop.ward.code) == ("Millbrook", "E05099903")  # type: ignore[union-attr]
    assert (shop.latitude, shop.longitude) == (53.78238, -1.60586)


def test_an_opportunity_moves_ward_with_its_postcode_and_has_none_for_an_unknown_one() -> None:
    group = make_group()
    organiser = GroupOrganiser.objects.get(group=group).user
    opportunity = Opportunity(group=group, title="Litter pick", description="Bags provided.")
    opportunity.postcode = "BK3 2AA"
    opportunity_save(opportunity=opportunity, by=organiser, publish=True)
    assert Opportunity.objects.get().ward.name == "Central"  # type: ignore[union-attr]

    opportunity.postcode = "ZZ9 9ZZ"  # a real-looking postcode the table does not have
    opportunity_save(opportunity=opportunity, by=organiser, publish=True)
    saved = Opportunity.objects.get()
    assert (saved.ward, saved.latitude, saved.longitude) == (None, None, None)

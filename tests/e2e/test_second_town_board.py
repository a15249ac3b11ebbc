from playwright.sync_api import Page, expect

from backend.demo import DEMO_PASSWORD
from backend.demo_second_town import SECOND_LOGINS, demo_second_town_load
from coins.models import Scheme
from marketplace.board.models import CommunityGroup
from marketplace.organisations import Status
from tests.e2e.conftest import Checks, off_the_loop
from tests.marketplace.factories import make_shift


def brackenford() -> int:
    """The first town, with one opportunity of its own that Fernley's board must not show;
    returns its id."""
    scheme = Scheme.objects.create(
        slug="brackenford", name="Brackenford Citizen Coin", coin_name="Bracken"
    )
    group = CommunityGroup.objects.create(
        scheme=scheme, name="Riverside Gardeners", slug="riverside", status=Status.VERIFIED
    )
    return make_shift(group=group, title="Brackenford bulb planting").opportunity_id


def test_a_visitor_picks_the_second_town_and_its_resident_sees_only_its_board(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    elsewhere = brackenford()
    # Off Playwright's loop: confirming the demo resident's hours notifies over channels.
    off_the_loop(demo_second_town_load)

    page.goto(live_asgi + "/opportunities/")
    expect(page.get_by_role("heading", name="Choose your town")).to_be_visible()
    checks.page(page, "town-choice")
    page.get_by_label("Fernley Citizen Coin").check()
    page.get_by_role("button", name="Show this town").click()
    # Back on the board it was asked from, now Fernley's.
    expect(page.get_by_role("status").first).to_contain_text("You are now seeing Fernley")
    results = page.get_by_role("list", name="opportunit")
    expect(results).to_contain_text("Stock the larder shelves")
    expect(results).not_to_contain_text("Brackenford bulb planting")

    resident = SECOND_LOGINS[0]
    page.goto(live_asgi + "/accounts/login/")
    page.get_by_label("Email").fill(resident.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="Volunteer", exact=True).click()
    expect(page.get_by_text("In Fernley Citizen Coin.")).to_be_visible()
    results = page.get_by_role("list", name="opportunit")
    expect(results.get_by_role("listitem")).to_have_count(6)
    expect(results).not_to_contain_text("Brackenford bulb planting")
    checks.page(page, "second-town-board")

    results.get_by_role("link", name="Towpath litter walk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Towpath litter walk")
    checks.page(page, "second-town-opportunity")

    page.get_by_role("link", name="Rewards").first.click()
    expect(page.get_by_text("Fernley Tea Rooms").first).to_be_visible()
    checks.page(page, "second-town-rewards")

    # A link to the other town's opportunity says where it is, and shows none of it.
    page.goto(f"{live_asgi}/opportunities/{elsewhere}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This opportunity is in another town")
    expect(page.locator("main")).not_to_contain_text("bulb planting")
    checks.page(page, "second-town-elsewhere")

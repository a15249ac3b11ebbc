"""The board and the menu on a 360 by 740 phone: after a search the results start on the
first screen, each card says the places left and the coins a shift earns, the search
survives a look at an opportunity, "near me" starts at the resident's postcode, the
access needs are filters; the logged-in menu is one row with the rest behind "Menu"; and
the board's first load on slow 4G is gzipped and under 100 KB."""

from typing import Any

from playwright.sync_api import Locator, Page, expect

from coins.models import Scheme
from marketplace.board.models import GroupOrganiser, Signup
from tests.conftest import make_user
from tests.e2e.conftest import Checks
from tests.e2e.test_pages import log_in
from tests.marketplace.factories import make_group, make_shift

CENTRE = (53.80771, -1.56653)  # BK3 2AA
FAR = (51.5, -0.12)


def top_of(locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return float(box["y"])


def height_of(locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return float(box["height"])


def a_town_with_brackens() -> None:
    group = make_group()
    Scheme.objects.filter(pk=group.scheme_id).update(coin_name="Bracken", coins_per_hour=10)
    near: dict[str, Any] = {"latitude": CENTRE[0], "longitude": CENTRE[1]}
    make_shift(title="Community gardening", capacity=3, hours=3, **near)
    full = make_shift(title="Seed sorting", capacity=1, hours=2, seated=True, days_ahead=4, **near)
    Signup.objects.create(
        shift=full, user=make_user("taken@example.org"), status=Signup.State.CONFIRMED
    )
    make_shift(title="Beach clean", latitude=FAR[0], longitude=FAR[1])


def test_after_a_search_on_a_phone_the_results_come_first_and_the_search_is_kept(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    a_town_with_brackens()
    make_user("fern@example.org", display_name="Fern", postcode="BK3 2AA")
    log_in(page, live_asgi, "fern@example.org")

    # Near me starts at her saved postcode, and the page says so in the folded search.
    page.get_by_role("link", name="Volunteer", exact=True).click()
    panel = page.locator("details.search-panel")
    summary = panel.locator(":scope > summary")
    expect(summary).to_have_text("within 5 miles of BK3 2AA, your postcode · change")
    expect(page.get_by_label("Search", exact=True)).to_be_hidden()
    results = page.get_by_role("list", name="opportunit")
    expect(results.get_by_role("heading")).to_have_text(["Community gardening", "Seed sorting"])
    cards = results.get_by_role("listitem")
    expect(cards.first).to_contain_text("3 places left · earns 30 Brackens")
    expect(cards.nth(1)).to_contain_text("Full: join the waiting list · earns 20 Brackens")
    assert top_of(cards.first) < 500, "the first result is below the first screen"
    checks.page(page, "board-phone-near-home")

    # The summary opens by keyboard; the access needs are check boxes.
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Search", exact=True)).to_be_visible()
    expect(page.get_by_label("Near postcode")).to_have_value("BK3 2AA")
    for need in ("Step-free access", "Can be done seated", "Can be done from home"):
        expect(page.get_by_label(need)).to_be_visible()
    checks.page(page, "board-phone-search-open")
    page.get_by_label("Can be done seated").check()
    page.get_by_role("button", name="Search", exact=True).click()

    expect(summary).to_contain_text("Can be done seated")
    expect(summary).to_contain_text("change")
    expect(panel).not_to_have_attribute("open", "")
    expect(results.get_by_role("heading")).to_have_text(["Seed sorting"])
    assert top_of(cards.first) < 500, "the first result is below the first screen"
    searched = page.url
    assert "seated=on" in searched
    checks.page(page, "board-phone-results")

    # An opportunity, and back to the same search, not to the whole board.
    results.get_by_role("link", name="Seed sorting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seed sorting")
    checks.page(page, "board-phone-opportunity")
    page.get_by_role("link", name="Back to all opportunities").click()
    expect(summary).to_contain_text("Can be done seated")
    expect(results.get_by_role("heading")).to_have_text(["Seed sorting"])
    assert "seated=on" in page.url and "postcode=BK3" in page.url


def nav_height(page: Page) -> float:
    return height_of(page.get_by_role("navigation", name="Main"))


def test_the_logged_in_menu_is_one_row_with_the_rest_behind_a_menu_that_opens_by_keyboard(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    make_user("robin@example.org", display_name="Robin")
    log_in(page, live_asgi, "robin@example.org")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Volunteer", "My shifts", "Wallet", "Rewards"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert nav_height(page) <= 60, f"the menu takes {nav_height(page)} px"
    header = page.locator("header.site-header")
    assert height_of(header) <= 120, f"the header takes {height_of(header)} px"
    expect(nav.get_by_role("link", name="Account")).to_be_hidden()
    # The unread count stays in the header bar, where static/js/live.js looks for it.
    expect(page.locator("header [data-unread-badge]")).to_have_count(1)
    checks.page(page, "menu-phone-closed")

    # Tab from the bell reaches "Menu", at the right of the bar; Enter opens it.
    page.get_by_role("link", name="Notifications").focus()
    page.keyboard.press("Tab")
    menu = nav.locator("details.site-nav__menu")
    expect(menu.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    for name in ("Home", "My saved searches", "Account"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    assert nav_height(page) <= 60, "the open menu lies over the page, not in the row"
    checks.page(page, "menu-phone-open")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Home")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Robin")

    # Where the page is, the menu says so, in the row and behind Menu alike.
    nav.get_by_role("link", name="Wallet").click()
    expect(nav.get_by_role("link", name="Wallet")).to_have_attribute("aria-current", "page")
    menu.locator("summary").click()
    nav.get_by_role("link", name="Account").click()
    menu.locator("summary").click()
    expect(nav.get_by_role("link", name="Account")).to_have_attribute("aria-current", "page")


def test_an_organiser_gets_their_groups_in_the_row_and_the_rest_behind_menu(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    group = make_group()
    organiser = make_user("ash@example.org", display_name="Ash")
    GroupOrganiser.objects.create(group=group, user=organiser)
    log_in(page, live_asgi, "ash@example.org")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My groups")).to_be_visible()
    expect(nav.get_by_role("link", name="Rewards")).to_be_hidden()
    assert nav_height(page) <= 60, f"the menu takes {nav_height(page)} px"
    nav.locator("summary").click()
    expect(nav.get_by_role("link", name="Rewards")).to_be_visible()
    checks.page(page, "menu-phone-organiser")


def test_a_visitors_menu_is_one_row_too(page: Page, live_asgi: str, checks: Checks) -> None:
    page.goto(live_asgi + "/opportunities/")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Volunteer", "Rewards", "Log in", "Sign up"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Volunteer")).to_have_attribute("aria-current", "page")
    assert nav_height(page) <= 60, f"the menu takes {nav_height(page)} px"
    checks.page(page, "board-phone-visitor")


# Chrome DevTools' "Slow 4G" (Lighthouse's mobile throttling as DevTools applies it).
SLOW_4G = {
    "offline": False,
    "latency": 562.5,  # ms
    "downloadThroughput": 1474.56 * 1024 / 8,  # bytes a second
    "uploadThroughput": 675 * 1024 / 8,
}


def test_the_boards_first_load_on_slow_4g_is_under_100_kb_with_the_page_gzipped(
    page: Page, live_asgi: str
) -> None:
    a_town_with_brackens()
    for n in range(20):  # a full first page of results
        make_shift(title=f"Food bank packing {n}", latitude=CENTRE[0], longitude=CENTRE[1])
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    sent: dict[str, int] = {}
    encodings: dict[str, str] = {}

    def finished(event: dict[str, Any]) -> None:
        sent[event["requestId"]] = int(event["encodedDataLength"])

    def received(event: dict[str, Any]) -> None:
        if event["type"] == "Document":
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            encodings[event["response"]["url"]] = headers.get("content-encoding", "")

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.responseReceived", received)
    page.goto(live_asgi + "/opportunities/", wait_until="networkidle")
    expect(page.get_by_role("list", name="opportunit").get_by_role("listitem")).to_have_count(20)

    assert encodings == {live_asgi + "/opportunities/": "gzip"}
    total = sum(sent.values())
    assert total <= 100 * 1024, f"the first load is {total / 1024:.1f} KB over {len(sent)} requests"

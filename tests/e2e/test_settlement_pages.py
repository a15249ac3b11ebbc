"""The council settles its shops at 360 px: settle now, then mark a bank payment paid."""

from django.utils import timezone
from playwright.sync_api import Page, expect

from coins.models import Account, SchemeAdmin
from coins.services import account_for
from coins.settlement import settlement_run
from tests.coins.factories import make_scheme
from tests.coins.test_settlement import fund_with, takes
from tests.conftest import make_user
from tests.e2e.conftest import Checks, off_the_loop
from tests.e2e.test_shop_pages import log_in
from tests.marketplace.factories import make_retailer, staff_of


def test_the_council_settles_what_the_fund_covers_and_marks_the_payout_paid(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    scheme = make_scheme(coin_value_pence=50)
    council = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=scheme, user=council)
    bakery = make_retailer("Corner Bakery")
    till = account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=bakery)
    off_the_loop(lambda: takes(scheme, till, 120))
    off_the_loop(lambda: fund_with(scheme, 4000))

    log_in(page, live_asgi, council)
    page.locator("summary", has_text="Menu").click()  # the rest of the menu
    page.get_by_role("link", name="Ledger").click()
    page.get_by_role("link", name="Settlement: pay shops for the coins they took").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settlement")
    expect(page.get_by_text("120 Citizen Coins, worth £60.00: owed")).to_be_visible()
    checks.page(page, "council-settlement")

    page.get_by_role("button", name="Settle now").click()
    expect(page.get_by_text("The fund could not cover £20.00: still owed.")).to_be_visible()
    expect(page.get_by_text("40 Citizen Coins, worth £20.00: owed")).to_be_visible()
    checks.page(page, "council-settlement-settled")

    page.get_by_role("button", name="Mark paid £40.00").click()  # the reference is required
    expect(page.get_by_text("Marked £40.00 as paid.")).to_have_count(0)
    page.get_by_label("Bank reference for the £40.00 payment").fill("BACS 4471")
    page.get_by_label("Bank reference for the £40.00 payment").press("Enter")
    expect(page.get_by_text("Marked £40.00 as paid.")).to_be_visible()
    expect(page.get_by_role("button", name="Mark paid £40.00")).to_have_count(0)
    checks.page(page, "council-settlement-paid")


def test_the_shop_sees_its_settlement_on_its_dashboard(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    scheme = make_scheme(coin_value_pence=50)
    bakery = make_retailer("Corner Bakery")
    till = account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=bakery)
    off_the_loop(lambda: takes(scheme, till, 120))
    off_the_loop(lambda: fund_with(scheme, 4000))
    off_the_loop(lambda: settlement_run(scheme=scheme, today=timezone.localdate()))

    log_in(page, live_asgi, staff_of(bakery))
    page.get_by_role("link", name="My shop").click()
    settlement = page.get_by_role("region", name="Settlement")
    expect(settlement).to_contain_text("40 Citizen Coins (worth £20.00)")
    expect(settlement).to_contain_text("£40.00")
    checks.page(page, "shop-dashboard-settlement")

"""The council changes the scheme's rules at 360 px and sees the change in the history."""

import re

from playwright.sync_api import Page, expect

from coins.models import SchemeAdmin
from tests.coins.factories import make_scheme
from tests.conftest import make_user
from tests.e2e.conftest import Checks
from tests.e2e.test_shop_pages import log_in


def test_the_council_raises_the_rate_with_a_reason_and_the_history_shows_it(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    scheme = make_scheme()
    council = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=scheme, user=council)

    log_in(page, live_asgi, council)
    page.locator("summary", has_text="Menu").click()  # the rest of the menu
    page.get_by_role("link", name="Ledger").click()
    page.get_by_role(
        "link", name="The scheme's rules: coins per hour, limits, expiry, coin value"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Testford: rules")
    checks.page(page, "scheme-rules")

    page.get_by_label("Coins for each hour").fill("5")
    page.get_by_label("Most coins a volunteer can earn in a day (blank: no limit)").fill("2")
    page.get_by_role("button", name="Save the rules").click()
    expect(
        page.get_by_text("Say why, so that the history explains the change.").first
    ).to_be_visible()
    checks.page(page, "scheme-rules-refused")

    page.get_by_label("Most coins a volunteer can earn in a day (blank: no limit)").fill("40")
    page.get_by_label("Why are you changing them?").fill("Half the rate for the pilot")
    page.get_by_label("Why are you changing them?").press("Tab")
    page.keyboard.press("Enter")  # the Save button, by keyboard
    expect(page.get_by_text("Saved 2 changes.")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text="changed coins for each hour")
    ).to_contain_text(
        "Cara changed coins for each hour from 10 to 5, because “Half the rate for the pilot”."
    )
    checks.page(page, "scheme-rules-saved")


def test_the_council_turns_on_a_bonus_and_a_monthly_cap_and_a_bad_number_is_explained(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    scheme = make_scheme()
    council = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=scheme, user=council)

    log_in(page, live_asgi, council)
    page.goto(f"{live_asgi}/council/ledger/rules/")
    bonuses = page.get_by_role("group", name="Bonuses for bringing people together")
    friend = bonuses.get_by_label("Bonus coins for bringing a friend, when both come")
    friend.fill("5000")
    page.get_by_label("Why are you changing them?").fill("Cohesion pilot")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a number from 0 to 1,000.")
    expect(friend).to_have_accessible_description(re.compile("Enter a number from 0 to 1,000."))
    checks.page(page, "scheme-rules-bonus-refused")

    friend.fill("10")
    page.get_by_label("Most bonus coins a volunteer can get in a month").fill("30")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.get_by_text("Saved 2 changes.")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text="the bonus for bringing a friend")
    ).to_contain_text("Cara changed the bonus for bringing a friend from 0 to 10")
    checks.page(page, "scheme-rules-bonus-saved")

"""The council's impact dashboard on a phone and a laptop: charts and tables, filtered by
ward and month through the form alone (no JavaScript needed)."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from coins.models import Scheme, Sponsorship
from marketplace.board.models import GroupOrganiser
from tests.e2e.conftest import Checks, off_the_loop
from tests.e2e.test_shop_pages import log_in
from tests.impact.test_cohesion import cohesion_town, months_shown, two_months_of_pulse
from tests.impact.test_sponsor_report import sponsored
from tests.impact.town import Town, town_with_known_numbers


@pytest.mark.parametrize("width", [360, 1280])
def test_the_council_reads_the_dashboard_and_filters_it_by_ward_and_month(
    page: Page, live_asgi: str, checks: Checks, width: int
) -> None:
    town: list[Town] = []
    off_the_loop(lambda: town.append(town_with_known_numbers(k=2)))
    off_the_loop(
        lambda: Scheme.objects.update(
            hour_value_pence=1900, hour_value_source="Measure Up (2023), at the median wage"
        )
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_asgi, town[0].council)
    page.locator("summary", has_text="Menu").click()  # the rest of the menu
    page.get_by_role("link", name="Impact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact")
    expect(page.get_by_role("img", name="Hours given each month")).to_be_visible()
    expect(page.get_by_role("img", name="Volunteers in each ward")).to_be_visible()
    expect(page.get_by_text("Figures as counted at")).to_be_visible()
    checks.page(page, f"impact-dashboard-{width}", width=width)

    page.get_by_label("From", exact=True).fill("2026-09")
    page.get_by_label("To", exact=True).fill("2026-12")
    page.get_by_label("Ward", exact=True).select_option(label="Central")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="September 2026 to December 2026")).to_be_visible()
    expect(page.get_by_text("Economic value of the hours given: £228.00")).to_be_visible()
    october = page.get_by_role("region", name="Volunteering").get_by_role("row", name="Oct 2026")
    expect(october).to_contain_text("6.0")
    expect(october).to_contain_text("fewer than 2")
    checks.page(page, f"impact-dashboard-central-{width}", width=width)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Volunteering” as a spreadsheet (CSV)").click()
    assert download.value.suggested_filename == "impact-volunteering-2026-09-to-2026-12.csv"


@pytest.mark.parametrize("width", [360, 1280])
def test_an_organiser_opens_the_groups_report_for_its_funders(
    page: Page, live_asgi: str, checks: Checks, width: int
) -> None:
    town: list[Town] = []
    off_the_loop(lambda: town.append(town_with_known_numbers(k=2)))
    organiser: list[User] = []
    off_the_loop(lambda: organiser.append(GroupOrganiser.objects.get(group=town[0].group).user))
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_asgi, organiser[0])
    page.goto(live_asgi + "/organise/")
    page.get_by_role("link", name="Report for funders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Park Friends: what your volunteers did"
    )
    page.get_by_label("From", exact=True).fill("2026-09")
    page.get_by_label("To", exact=True).fill("2026-12")
    page.get_by_role("button", name="Show").click()
    total = page.get_by_role("region", name="Volunteering").get_by_role("row", name="All months")
    expect(total).to_contain_text("20.0")
    checks.page(page, f"group-report-{width}", width=width)


@pytest.mark.parametrize("width", [360, 1280])
def test_a_sponsor_reads_what_their_money_did(
    page: Page, live_asgi: str, checks: Checks, width: int
) -> None:
    paid: list[Sponsorship] = []

    def sponsor() -> None:
        town = town_with_known_numbers(k=2)
        paid.append(sponsored(town, to_group=True))

    off_the_loop(sponsor)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_asgi, paid[0].sponsor)
    page.goto(live_asgi + "/sponsor/mine/")
    page.get_by_role("link", name="What your money did").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What your sponsorship did")
    expect(page.get_by_text("You gave £50.00 to Park Friends on 15 September 2026")).to_be_visible()
    checks.page(page, f"sponsor-report-{width}", width=width)


def test_the_council_sees_who_met_whom_and_the_pulse_beside_the_national_figures(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    town: list[tuple[Scheme, dict[str, User], User]] = []
    off_the_loop(lambda: town.append(cohesion_town()))
    off_the_loop(lambda: two_months_of_pulse(town[0][0]))
    log_in(page, live_asgi, town[0][2])
    first, last = months_shown()
    page.goto(f"{live_asgi}/council/impact/?first={first}&last={last}")
    together = page.get_by_role("region", name="Who met whom")
    expect(together.get_by_role("row", name="All months")).to_contain_text("75%")
    chart = page.get_by_role("img", name="Agree people from different backgrounds get on well")
    expect(chart).to_be_visible()
    expect(page.get_by_text("Nationally: 81%")).to_be_visible()
    pulse = page.get_by_role("region", name="How it felt: the pulse after a shift")
    expect(pulse.get_by_role("row", name="All months")).to_contain_text("80%")
    checks.page(page, "impact-cohesion-360")
    page.get_by_role("heading", name="Bringing people together").scroll_into_view_if_needed()
    page.screenshot(path="test-results/impact-cohesion-360.png", full_page=True)

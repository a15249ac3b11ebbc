from datetime import timedelta
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from backend.demo import DEMO_PASSWORD, LOGINS
from marketplace.models import Signup
from tests.e2e.conftest import Checks


def test_a_resident_finds_gardening_near_home_signs_up_and_gets_a_calendar_file(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    call_command("load_demo", verbosity=0)
    resident = LOGINS[0]
    page.goto(live_asgi + "/accounts/login/")
    page.get_by_label("Email").fill(resident.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.get_by_role("link", name="Volunteer", exact=True).click()
    checks.page(page, "board-search")
    page.get_by_label("Search").fill("garden")
    page.get_by_text("Filters").click()
    page.get_by_label("Near postcode").fill("BK3 2AA")
    page.get_by_label("Within").select_option("10")
    in_two_weeks = (timezone.localdate() + timedelta(days=14)).isoformat()
    page.get_by_label("To", exact=True).fill(in_two_weeks)
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("list", name="opportunit")
    expect(results.get_by_role("link").first).to_contain_text("Community gardening")
    checks.page(page, "board-results")

    results.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Community gardening")
    photo = page.locator("img.photo")
    photo.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.photo').complete")
    assert photo.evaluate("img => img.naturalWidth") > 0, photo.get_attribute("src")
    checks.page(page, "board-opportunity")

    # Two taps: Sign up on the shift, and the place is confirmed.
    page.get_by_role("button", name="Sign up").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My shifts")
    expect(page.get_by_role("status")).to_contain_text("You're going to Community gardening")
    checks.page(page, "board-my-shifts")

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").first.click()
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    event = calendar.walk("VEVENT")[0]
    signup = Signup.objects.get(user__email=resident.email)
    assert event.decoded("DTSTART") == signup.shift.start
    assert "Community gardening" in str(event["SUMMARY"])

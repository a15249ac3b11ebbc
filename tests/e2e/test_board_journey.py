import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from backend.demo import DEMO_PASSWORD, LOGINS
from marketplace.board.models import Signup
from places.selectors import postcode_point
from tests.e2e.conftest import Checks, off_the_loop
from tests.marketplace.factories import make_shift


def test_a_resident_finds_gardening_near_home_signs_up_and_gets_a_calendar_file(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    # Off Playwright's loop: loading the demo now confirms hours, which notifies over channels.
    off_the_loop(lambda: call_command("load_demo", verbosity=0))
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
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.get_by_role("list", name="opportunit")
    expect(results.get_by_role("link").first).to_contain_text("Community gardening")
    checks.page(page, "board-results")

    results.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Community gardening")
    photo = page.locator("img.photo")
    photo.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('img.photo').complete")
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
    # The demo gives the resident past shifts too; this is the one just signed up to.
    signup = Signup.objects.filter(user__email=resident.email).latest("created")
    assert event.decoded("DTSTART") == signup.shift.start
    assert "Community gardening" in str(event["SUMMARY"])

    # Cancelling asks first; keeping the place changes nothing, and "Yes" cancels.
    page.get_by_role("link", name="Cancel Community gardening").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Cancel your place on Community gardening"
    )
    checks.page(page, "board-cancel")
    page.get_by_role("link", name="Keep my place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My shifts")
    signup.refresh_from_db()
    assert signup.status == Signup.State.CONFIRMED
    page.get_by_role("link", name="Cancel Community gardening").first.click()
    page.get_by_role("button", name="Yes, cancel my place").click()
    expect(page.get_by_role("status")).to_contain_text("It goes to the next person waiting.")
    signup.refresh_from_db()
    assert signup.status == Signup.State.CANCELLED


def test_use_my_location_lists_the_nearest_first(
    page: Page, live_asgi: str, checks: Checks, browser: Browser, browser_context_args: Any
) -> None:
    here = postcode_point("BK3 2AA")
    assert here is not None
    for title, miles_north in (("Far", 6.0), ("Near", 0.5), ("Middle", 2.0)):
        make_shift(title=title, latitude=here[0] + miles_north / 69, longitude=here[1])

    # Without JavaScript the button never shows and the postcode search is all there is.
    plain = browser.new_context(**browser_context_args, java_script_enabled=False)
    plain_page = plain.new_page()
    plain_page.goto(live_asgi + "/opportunities/")
    expect(plain_page.get_by_role("button", name="Search", exact=True)).to_be_visible()
    expect(plain_page.get_by_role("button", name="Use my location")).to_be_hidden()
    plain.close()

    # Refused a location (nobody granted it here), the page says what to do instead.
    page.goto(live_asgi + "/opportunities/")
    page.get_by_role("button", name="Use my location").click()
    expect(page.get_by_role("status")).to_have_text(
        "We couldn't get your location. Enter a postcode instead."
    )

    located = browser.new_context(
        **browser_context_args,
        geolocation={"latitude": here[0], "longitude": here[1]},
        permissions=["geolocation"],
    )
    phone = located.new_page()
    phone.goto(live_asgi + "/opportunities/")
    phone.get_by_role("button", name="Use my location").click()
    results = phone.get_by_role("list", name="opportunit")
    expect(results.get_by_role("heading")).to_have_text(["Near", "Middle"])  # Far is over 5 miles
    texts = " ".join(results.get_by_role("listitem").all_inner_texts())
    away = [float(miles) for miles in re.findall(r"([0-9.]+) miles away", texts)]
    assert away == sorted(away) and away[0] < 1, away
    expect(phone.get_by_label("Sort by")).to_have_value("nearest")
    expect(phone.get_by_label("Near postcode")).to_have_value("")
    checks.page(phone, "board-near-me")
    located.close()

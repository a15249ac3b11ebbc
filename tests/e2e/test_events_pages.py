"""The pages behind the new events: an organiser changes and cancels a shift, and a
resident keeps a saved search, on a 360 px phone."""

from playwright.sync_api import Page, expect

from marketplace.board.models import GroupOrganiser, Signup
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import Checks
from tests.marketplace.factories import make_shift


def log_in(page: Page, live_asgi: str, email: str) -> None:
    page.goto(live_asgi + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_an_organiser_changes_a_shifts_places_then_cancels_it(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    shift = make_shift(title="Riverside planting", capacity=2)
    for n, status in enumerate(["confirmed", "confirmed", "waitlisted"]):
        volunteer = make_user(f"v{n}@example.org", display_name=f"Volunteer {n}")
        Signup.objects.create(shift=shift, user=volunteer, status=status)
    organiser = GroupOrganiser.objects.get(group=shift.opportunity.group).user
    log_in(page, live_asgi, organiser.email)
    page.goto(f"{live_asgi}/organise/shifts/{shift.pk}/")

    page.get_by_role("link", name="Change time or places").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change time or places")
    checks.page(page, "organiser-shift-change")
    page.get_by_label("Places").fill("1")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "2 people have a place already, so there must be at least 2 places."
    )
    checks.page(page, "organiser-shift-change-errors")
    page.get_by_label("Places").fill("3")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Shift changed.")
    expect(page.get_by_text("3 of 3 places taken")).to_be_visible()  # the waiting one got in

    page.get_by_role("link", name="Cancel this shift").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel Riverside planting")
    checks.page(page, "organiser-shift-cancel")
    page.get_by_role("button", name="Yes, cancel the shift").click()
    expect(page.get_by_role("alert")).to_contain_text("Give a reason")
    checks.page(page, "organiser-shift-cancel-errors")
    page.get_by_label("Why is it cancelled?").fill("The towpath is flooded.")
    page.get_by_role("button", name="Yes, cancel the shift").click()
    expect(page.get_by_role("status")).to_contain_text("Shift cancelled.")
    expect(page.get_by_text("This shift was cancelled")).to_be_visible()
    expect(page.get_by_role("link", name="Change time or places")).to_have_count(0)
    checks.page(page, "organiser-shift-cancelled")


def test_a_resident_saves_a_search_lists_it_and_deletes_it(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    make_shift(title="Beach clean", causes=["environment"])
    resident = make_user("sam@example.org", display_name="Sam")
    log_in(page, live_asgi, resident.email)
    page.goto(f"{live_asgi}/opportunities/?q=beach&cause=environment")
    checks.page(page, "board-search-save")

    page.get_by_role("button", name="Save this search — tell me about new matches").click()
    expect(page.locator(".messages")).to_contain_text("Search saved.")
    expect(page.get_by_text("You saved this search")).to_be_visible()
    checks.page(page, "board-search-saved")

    page.get_by_role("link", name="My saved searches").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My saved searches")
    expect(page.get_by_role("link", name="“beach” · Environment and green spaces")).to_be_visible()
    checks.page(page, "saved-searches")
    page.get_by_role("button", name="Delete the saved search").click()
    expect(page.get_by_text("You have no saved searches.")).to_be_visible()
    checks.page(page, "saved-searches-empty")

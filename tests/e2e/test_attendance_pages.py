"""On the day, on a 360 px phone: the organiser checks a volunteer in and undoes it with
buttons big and far apart, sees each volunteer's record with the group, and finds no
buttons outside the check-in window; a volunteer claims time in hours and minutes; the
organiser's home page says how full each shift is and which claims wait."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import FloatRect, Locator, Page, expect

from accounts.models import User
from marketplace.board.models import GroupOrganiser, Hours, Shift, Signup
from tests.conftest import make_user
from tests.e2e.conftest import Checks
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.factories import make_shift

SMALLEST = 24  # WCAG 2.2 target size (minimum), in CSS pixels
AIMED = 44
APART = 8


def moved(shift: Shift, start_in: timedelta, hours: int = 2) -> Shift:
    start = timezone.now() + start_in
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=hours))
    shift.refresh_from_db()
    return shift


def organiser_of(shift: Shift) -> User:
    return GroupOrganiser.objects.filter(group=shift.opportunity.group).first().user  # type: ignore[union-attr]


def box(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def assert_big_enough(locator: Locator) -> FloatRect:
    found = box(locator)
    assert found["width"] >= SMALLEST and found["height"] >= AIMED, (locator, found)
    return found


def gap(upper: FloatRect, lower: FloatRect) -> float:
    """The clear space between two targets, one above the other or side by side."""
    below = lower["y"] - (upper["y"] + upper["height"])
    beside = max(
        lower["x"] - (upper["x"] + upper["width"]), upper["x"] - (lower["x"] + lower["width"])
    )
    return max(below, beside)


def test_the_organiser_checks_a_volunteer_in_and_undoes_it_on_a_phone(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    shift = moved(make_shift(title="Riverside planting"), timedelta(minutes=-10))
    ana = make_user("ana-att@example.org", display_name="Ana")
    ben = make_user("ben-att@example.org", display_name="Ben")
    for person in (ana, ben):
        Signup.objects.create(shift=shift, user=person, status=Signup.State.CONFIRMED)
    # Ana came twice before and missed once, on the group's earlier shifts.
    for days, came in ((21, True), (14, True), (7, False)):
        earlier = make_shift(group=shift.opportunity.group, title="Riverside planting")
        moved(earlier, timedelta(days=-days))
        Signup.objects.create(shift=earlier, user=ana, status="confirmed", attended=came)

    log_in(page, live_asgi, organiser_of(shift).email)
    page.goto(f"{live_asgi}/organise/shifts/{shift.pk}/")
    ana_row = page.get_by_role("row", name="Ana")
    expect(ana_row).to_contain_text("Came 2 · no-show 1 · cancelled late 0")
    expect(page.get_by_role("row", name="Ben")).to_contain_text("First time with your group")

    check_in = assert_big_enough(page.get_by_role("button", name="Check in Ana"))
    no_show = assert_big_enough(page.get_by_role("button", name="Did not come (Ana)"))
    next_check_in = assert_big_enough(page.get_by_role("button", name="Check in Ben"))
    assert gap(check_in, no_show) >= APART, (check_in, no_show)
    assert gap(no_show, next_check_in) >= APART, (no_show, next_check_in)
    checks.page(page, "attendance-open")

    page.get_by_role("button", name="Check in Ana").click()
    expect(ana_row).to_contain_text("Checked in")
    expect(page.get_by_role("button", name="Check in Ana")).to_have_count(0)
    undo = page.get_by_role("button", name="Undo check-in for Ana")
    assert_big_enough(undo)
    assert gap(box(undo), box(page.get_by_role("button", name="Check in Ben"))) >= APART
    checks.page(page, "attendance-checked-in")

    undo.click()
    expect(ana_row).not_to_contain_text("Checked in")
    expect(page.get_by_role("button", name="Check in Ana")).to_be_visible()
    assert Signup.objects.get(shift=shift, user=ana).attended is None

    page.get_by_role("button", name="Did not come (Ana)").click()
    expect(ana_row).to_contain_text("Did not come")
    page.get_by_role("button", name="Undo “did not come” for Ana").click()
    expect(page.get_by_role("button", name="Did not come (Ana)")).to_be_visible()
    assert Signup.objects.get(shift=shift, user=ana).attended is None


def test_there_are_no_attendance_buttons_outside_the_window(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    shift = moved(make_shift(title="Riverside planting"), timedelta(hours=16))
    vi = make_user("vi-att@example.org", display_name="Vi")
    Signup.objects.create(shift=shift, user=vi, status=Signup.State.CONFIRMED)
    log_in(page, live_asgi, organiser_of(shift).email)
    page.goto(f"{live_asgi}/organise/shifts/{shift.pk}/")
    expect(page.get_by_text("Check-in opens at")).to_be_visible()
    expect(page.get_by_role("button", name="Check in Vi")).to_have_count(0)
    expect(page.get_by_role("button", name="Did not come (Vi)")).to_have_count(0)
    checks.page(page, "attendance-not-yet")

    # Half an hour before: check in, but nobody can be a no-show yet.
    moved(shift, timedelta(minutes=30))
    page.reload()
    expect(page.get_by_role("button", name="Check in Vi")).to_be_visible()
    expect(page.get_by_role("button", name="Did not come (Vi)")).to_have_count(0)

    # The next morning the code has closed, and the list still takes who did not come.
    moved(shift, timedelta(hours=-20))
    page.reload()
    expect(page.get_by_text("The check-in code has closed")).to_be_visible()
    expect(page.get_by_role("button", name="Did not come (Vi)")).to_be_visible()

    # A week after the end: closed, and what was marked stays.
    moved(shift, timedelta(days=-8))
    page.reload()
    expect(page.get_by_text("The list closed at")).to_be_visible()
    expect(page.get_by_role("button", name="Check in Vi")).to_have_count(0)
    expect(page.get_by_role("button", name="Undo check-in for Vi")).to_have_count(0)
    checks.page(page, "attendance-closed")


def test_a_volunteer_claims_time_in_hours_and_minutes(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    shift = moved(make_shift(title="Riverside planting", hours=3), timedelta(hours=-4), hours=3)
    vi = make_user("vi-claim@example.org", display_name="Vi")
    Signup.objects.create(shift=shift, user=vi, status=Signup.State.CONFIRMED)
    log_in(page, live_asgi, vi.email)
    page.goto(f"{live_asgi}/my-shifts/")
    time = page.get_by_role("group", name="Time you gave")
    expect(time.get_by_label("Hours")).to_have_value("3")  # the shift's length
    expect(time.get_by_label("Minutes")).to_have_value("0")
    assert_big_enough(time.get_by_label("Hours"))
    checks.page(page, "claim-hours-and-minutes")
    time.get_by_label("Hours").fill("2")
    time.get_by_label("Minutes").fill("30")
    page.get_by_role("button", name="Claim hours for Riverside planting").click()
    expect(page.get_by_role("status")).to_contain_text("Claim sent.")
    expect(page.get_by_text("you claimed 2 h 30 min, waiting for the organiser")).to_be_visible()
    assert Hours.objects.get().minutes == 150
    checks.page(page, "claim-sent")


def test_the_organisers_home_page_says_how_full_each_shift_is_and_what_waits(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    coming = make_shift(title="Riverside planting", capacity=8)
    for n in range(8):
        status = Signup.State.CONFIRMED if n < 6 else Signup.State.WAITLISTED
        person = make_user(f"fill-{n}@example.org", display_name=f"Person {n}")
        Signup.objects.create(shift=coming, user=person, status=status)
    over = make_shift(group=coming.opportunity.group, title="Litter pick")
    moved(over, timedelta(hours=-4))
    claimant = make_user("claimant@example.org", display_name="Cai")
    signup = Signup.objects.create(shift=over, user=claimant, status="confirmed")
    Hours.objects.create(signup=signup, minutes=90, status=Hours.State.CLAIMED)

    log_in(page, live_asgi, organiser_of(coming).email)
    page.get_by_role("link", name="My groups").click()
    expect(page.get_by_text("6 of 8 places, 2 waiting")).to_be_visible()
    expect(page.get_by_text("1 claim for hours waits for your decision")).to_be_visible()
    checks.page(page, "organiser-dashboard-fill")
    page.get_by_role("link", name="Litter pick").filter(has_text="1 to decide").click()
    expect(page.get_by_role("row", name="Cai")).to_contain_text("Claims 1 h 30 min")

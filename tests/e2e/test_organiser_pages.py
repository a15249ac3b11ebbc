from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from coins.models import Scheme, SchemeAdmin
from marketplace.board.checkin import checkin_token
from marketplace.board.models import GroupOrganiser, Shift, Signup
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import PHONE, Checks
from tests.marketplace.factories import make_shift


def test_an_organiser_checks_people_in_and_confirms_hours_by_keyboard(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    shift = make_shift(title="Riverside planting", causes=["environment"])
    for n in range(2):
        volunteer = make_user(f"v{n}@example.org", display_name=f"Volunteer {n}")
        Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    # It ended an hour ago: check-in is open for two hours after the end.
    start = timezone.now() - timedelta(hours=3)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    organiser = GroupOrganiser.objects.get(group=shift.opportunity.group).user

    page.goto(live_asgi + "/accounts/login/")
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="My groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your groups")
    checks.page(page, "organiser-dashboard")

    # Its only shift is over: the dashboard says so, and the edit page adds a weekly run.
    expect(page.get_by_text("No shifts coming up")).to_be_visible()
    page.get_by_role("link", name="add some to Riverside planting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Riverside planting”")
    next_week = timezone.localdate() + timedelta(days=7)
    page.get_by_label("Date of the first shift").fill(next_week.isoformat())
    page.get_by_label("Starts", exact=True).fill("18:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text("Enter the time the shift ends.")
    checks.page(page, "organiser-opportunity-edit-errors")
    page.get_by_label("Ends", exact=True).fill("20:00")
    page.get_by_label("Places", exact=True).fill("6")
    page.get_by_label("Repeat weekly for how many weeks?").fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Riverside planting”")
    expect(page.get_by_text("No shifts coming up")).to_have_count(0)
    page.get_by_role("link", name="Edit Riverside planting").click()
    expect(page.get_by_text("0 of 6 places taken")).to_have_count(2)
    checks.page(page, "organiser-opportunity-edit")
    page.get_by_role("link", name="Back to your groups").click()

    page.get_by_role("link", name="Post an opportunity").first.click()
    checks.page(page, "organiser-opportunity-new")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text("There is a problem")
    checks.page(page, "organiser-opportunity-errors")
    page.get_by_role("link", name="Back to your groups").click()

    page.get_by_role("link", name="Record a DBS check").first.click()
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose what the certificate said.")
    checks.page(page, "organiser-dbs-errors")
    page.get_by_role("link", name="Back to your groups").click()

    page.locator("a[href^='/organise/shifts/']").first.click()
    page.get_by_role("button", name="Check in Volunteer 0").click()
    expect(page.get_by_role("row", name="Volunteer 0")).to_contain_text("Checked in")
    checks.page(page, "organiser-shift")

    time = page.get_by_role("group", name="Time for Volunteer 1")
    expect(time.get_by_label("Hours")).to_have_value("2")  # the shift's length
    time.get_by_label("Hours").fill("1")
    time.get_by_label("Minutes").fill("30")
    page.get_by_role("button", name="Confirm hours for everyone").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Confirmed hours for 2 volunteers.")
    expect(page.get_by_role("row", name="Volunteer 1")).to_contain_text("1 h 30 min confirmed")
    expect(page.get_by_role("button", name="Confirm hours for everyone")).to_have_count(0)
    checks.page(page, "organiser-shift-confirmed")


def test_a_resident_registers_a_group_and_the_council_verifies_it(
    page: Page, live_asgi: str, checks: Checks, browser: Browser
) -> None:
    scheme = Scheme.objects.create(name="Testford", slug="testford")
    council = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=scheme, user=council)
    make_user("sam@example.org", display_name="Sam")

    log_in(page, live_asgi, "sam@example.org")
    page.get_by_role("link", name="Register a community group").click()
    page.get_by_role("button", name="Register the group").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your group's name.")
    checks.page(page, "group-register-errors")
    page.get_by_label("Group name").fill("Allotment Angels")
    page.get_by_label("What does your group do?").fill("We grow food for the food bank.")
    page.get_by_label("Contact email for volunteers").fill("angels@example.org")
    page.get_by_role("button", name="Register the group").click()
    expect(page.get_by_role("status")).to_contain_text("Allotment Angels is registered")
    checks.page(page, "group-registered")

    officer = browser.new_page(viewport=PHONE)
    log_in(officer, live_asgi, "council@example.org")
    officer.get_by_role("link", name="Council").click()
    checks.page(officer, "council-queue")
    officer.get_by_role("button", name="Verify Allotment Angels").click()
    expect(officer.get_by_role("status")).to_contain_text("Allotment Angels: verified.")
    checks.page(officer, "council-queue-empty")
    officer.close()


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_a_volunteer_checks_in_through_the_shifts_code(
    page: Page, live_asgi: str, checks: Checks, browser: Browser
) -> None:
    shift = make_shift(title="Riverside planting")
    start = timezone.now() - timedelta(minutes=5)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    volunteer = make_user("v@example.org", display_name="Vi")
    Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    organiser = GroupOrganiser.objects.get(group=shift.opportunity.group).user

    log_in(page, live_asgi, organiser.email)
    page.goto(f"{live_asgi}/organise/shifts/{shift.pk}/")
    page.get_by_text("Show the check-in code").click()
    expect(page.get_by_role("img", name="Check-in code for volunteers to scan")).to_be_visible()
    checks.page(page, "organiser-checkin-code")
    page.get_by_role("link", name="Message everyone on this shift").click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a subject.")
    checks.page(page, "organiser-message-errors")

    phone = browser.new_page(viewport=PHONE)
    log_in(phone, live_asgi, volunteer.email)
    phone.goto(f"{live_asgi}/shifts/{shift.pk}/check-in/{checkin_token(shift)}/")
    checks.page(phone, "volunteer-check-in")
    phone.get_by_role("button", name="I'm here").click()
    expect(phone.get_by_role("status")).to_contain_text("checked in to Riverside planting")
    phone.close()
    page.goto(f"{live_asgi}/organise/shifts/{shift.pk}/")
    expect(page.get_by_role("row", name="Vi")).to_contain_text("Checked in")

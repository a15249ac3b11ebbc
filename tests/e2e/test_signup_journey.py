import re

from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.conftest import Checks


def test_a_new_person_signs_up_verifies_their_email_and_reaches_their_home_page(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    page.goto(live_asgi + "/")
    checks.page(page, "01-welcome")

    # The first Tab lands on the skip link, and it works.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    checks.page(page, "02-signup")

    # Sending the form half-filled shows the error summary, focused, with links to the fields.
    page.get_by_label("Email").fill("priya@example.org")
    page.get_by_role("button", name="Sign Up").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(
        "Tell us your age group. You must be 13 or older to join Citizen Coin."
    )
    expect(summary).to_be_focused()
    checks.page(page, "03-signup-errors")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("What should we call you?").fill("Priya")
    page.get_by_label("Home postcode (optional)").fill("ls62ab")
    expect(page.get_by_role("group", name="How old are you?")).to_be_visible()
    page.get_by_label("13 to 17").check()
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    checks.page(page, "04-verification-sent")
    assert User.objects.get().postcode == "LS6 2AB"

    body = str(mail.outbox[-1].body)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert link, body
    page.goto(link.group(0))
    checks.page(page, "05-confirm-email")
    page.get_by_role("button", name="Confirm").click()
    # Confirming in the browser that signed up logs her in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Priya")
    page.locator("summary", has_text="Menu").click()  # the rest of the menu
    page.get_by_role("button", name="Log out").click()

    page.goto(live_asgi + "/accounts/login/")
    checks.page(page, "06-login")
    page.get_by_label("Email").fill("priya@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Priya")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Log out")
    checks.page(page, "07-home")

    # At 13 to 17, name and home area start hidden, and Your details says why.
    page.locator("summary", has_text="Menu").click()  # the rest of the menu
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.get_by_text("These start off because you are under 18")).to_be_visible()
    name = page.get_by_label("Show my first name to shops and to other volunteers")
    area = page.get_by_label("Show my home area (first half of my postcode)")
    expect(name).not_to_be_checked()
    expect(area).not_to_be_checked()
    checks.page(page, "08-details")
    area.check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your details are saved.")
    user = User.objects.get()
    assert user.share_location and not user.share_name and user.public_area == "LS6"
    assert len(checks.seen) == 8

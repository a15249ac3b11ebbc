from playwright.sync_api import Page, expect

from notifications.services import notify
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import Checks, off_the_loop


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_pages_for_visitors_pass_axe_and_fit_a_phone(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    page.goto(live_asgi + "/accounts/login/")
    checks.page(page, "visitor-login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password Reset")
    checks.page(page, "visitor-password-reset")
    page.goto(live_asgi + "/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    checks.page(page, "visitor-404")


def test_notification_centre_lists_and_marks_read_by_keyboard(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    user = make_user("sam@example.org", display_name="Sam")
    off_the_loop(
        lambda: notify(recipients=[user], kind="hours", title="3 hours confirmed", body="+30 coins")
    )
    off_the_loop(
        lambda: notify(
            recipients=[user], kind="signup", title="You're on the list", body="Sat 10:00"
        )
    )
    log_in(page, live_asgi, "sam@example.org")
    expect(page.locator("[data-unread-badge]")).to_have_text("2")
    checks.page(page, "resident-home")

    page.get_by_role("link", name="Notifications").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("list").filter(has_text="3 hours confirmed")).to_be_visible()
    checks.page(page, "resident-notifications")

    page.get_by_role("button", name="Mark all as read").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Marked 2 notifications read.")
    expect(page.locator("[data-unread-badge]")).to_be_hidden()
    checks.page(page, "resident-notifications-read")

    page.locator("summary", has_text="Menu").click()  # the rest of the menu
    page.get_by_role("link", name="Account").click()
    checks.page(page, "resident-account-email")

from typing import Any

from playwright.sync_api import Page, expect

from notifications.mail import unsubscribe_token
from notifications.models import NotificationPreference
from notifications.services import notify
from tests.conftest import make_user
from tests.e2e.conftest import Checks, off_the_loop
from tests.e2e.test_organiser_pages import log_in
from tests.notifications.conftest import VAPID_PRIVATE, VAPID_PUBLIC


def test_the_centre_marks_one_read_by_keyboard_and_offers_phone_notifications(
    page: Page, live_asgi: str, checks: Checks, settings: Any
) -> None:
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = VAPID_PUBLIC, VAPID_PRIVATE
    settings.VAPID_SUBJECT = "mailto:council@example.org"
    sam = make_user("sam@example.org", display_name="Sam")
    off_the_loop(
        lambda: notify(
            recipients=[sam], kind="hours_confirmed", title="3 hours confirmed", body="Park Friends"
        )
    )
    off_the_loop(
        lambda: notify(recipients=[sam], kind="shift_reminder", title="Tomorrow", body="At 10:00")
    )
    log_in(page, live_asgi, "sam@example.org")
    page.goto(live_asgi + "/notifications/")
    # Shown once the service worker is ready, since this browser can take web push.
    expect(page.get_by_role("button", name="Turn on notifications on this phone")).to_be_visible()
    expect(page.locator("[data-unread-badge]")).to_have_text("2")
    checks.page(page, "notification-centre")

    page.get_by_role("button", name="Mark as read (3 hours confirmed)").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-unread-badge]")).to_have_text("1")
    expect(page.get_by_role("button", name="Mark as read (Tomorrow)")).to_be_visible()
    expect(page.get_by_role("button", name="Mark as read (3 hours confirmed)")).to_have_count(0)
    checks.page(page, "notification-centre-one-read")


def test_preferences_are_changed_by_keyboard_and_kept(
    page: Page, live_asgi: str, checks: Checks, settings: Any
) -> None:
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = VAPID_PUBLIC, VAPID_PRIVATE
    settings.VAPID_SUBJECT = "mailto:council@example.org"
    sam = make_user("sam@example.org", display_name="Sam")
    log_in(page, live_asgi, "sam@example.org")
    page.goto(live_asgi + "/notifications/")
    page.get_by_role("link", name="Choose what we tell you, and how").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification choices")
    checks.page(page, "notification-preferences")

    reminders = page.get_by_role("group", name="Reminders before your shifts")
    by_email = reminders.get_by_label("Email")
    expect(by_email).to_be_checked()
    by_email.focus()
    page.keyboard.press("Space")
    expect(by_email).not_to_be_checked()
    page.get_by_role("button", name="Save choices").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your choices are saved.")
    expect(reminders.get_by_label("Email")).not_to_be_checked()
    expect(reminders.get_by_label("Phone")).to_be_checked()
    checks.page(page, "notification-preferences-saved")
    assert not NotificationPreference.objects.get(user=sam, kind="shift_reminder").email


def test_the_unsubscribe_link_asks_before_it_stops_and_a_broken_one_is_explained(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    sam = make_user("sam@example.org")
    token = unsubscribe_token(user_id=sam.pk, kind="coins_expiring")
    page.goto(f"{live_asgi}/notifications/unsubscribe/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop these emails?")
    checks.page(page, "unsubscribe-ask")
    page.get_by_role("button", name="Stop these emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emails stopped")
    checks.page(page, "unsubscribe-done")
    assert not NotificationPreference.objects.get(user=sam, kind="coins_expiring").email

    response = page.goto(f"{live_asgi}/notifications/unsubscribe/{token[:-4]}/")
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("This link doesn't work")
    checks.page(page, "unsubscribe-bad-link")


def test_a_page_that_cannot_load_shows_the_offline_page(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    page.goto(live_asgi + "/")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    page.context.set_offline(True)
    try:
        page.goto(live_asgi + "/rewards/")
        expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")
        checks.page(page, "offline")
    finally:
        page.context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("You're offline")

"""Acceptance 5: on a 360 px phone, with and without JavaScript, a volunteer's hours are
confirmed, the pulse arrives in the notification centre and three taps answer it; and
the "about me" page is answered and withdrawn."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from accounts.models import Background
from cohesion.models import PulseAnswer, PulseInvite
from marketplace.board.models import Shift
from marketplace.board.services.hours import hours_confirm
from tests.conftest import make_user
from tests.e2e.conftest import ARTIFACTS, PHONE, Checks, off_the_loop
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.test_hours import organiser_of, past_shift_with


def looker(checks: Checks, browser: Browser, args: dict[str, Any], js: bool) -> Callable[..., None]:
    """checks.page, or for a page seen without JavaScript: axe waits on timers, which never
    fire there, so the page's HTML as served is checked in a tab of its own with
    JavaScript, at the same address (so its styles load)."""
    if js:
        return checks.page
    tab = browser.new_context(**args).new_page()

    def look(page: Page, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        html, url = page.content(), page.url

        def served(route: Route) -> None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        def same(address: str) -> bool:
            return address == url

        tab.route(same, served)
        tab.goto(url)
        tab.unroute(same, served)
        checks.page(tab, f"{name}-axe")

    return look


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_pulse_arrives_after_confirmed_hours_and_three_taps_answer_it(
    live_asgi: str, checks: Checks, browser: Browser, browser_context_args: Any, js: bool
) -> None:
    suffix = "js" if js else "no-js"
    look = looker(checks, browser, browser_context_args, js)
    sam = make_user("sam@example.org", display_name="Sam", postcode="BK1 1AA")
    shift = past_shift_with([sam], title="Riverside planting")
    organiser = organiser_of(shift)
    phone = browser.new_context(**browser_context_args, java_script_enabled=js)
    page = phone.new_page()
    log_in(page, live_asgi, sam.email)
    page.goto(live_asgi + "/notifications/")

    # The organiser confirms the shift, from a thread of its own, as their page would.
    off_the_loop(
        lambda: hours_confirm(shift=Shift.objects.get(pk=shift.pk), minutes={}, by=organiser)
    )
    if js:  # it arrives live, while the page is open
        expect(page.locator("[data-toasts]")).to_contain_text("A short question after your shift")
    page.reload()
    link = page.get_by_role("link", name="A short question after your shift")
    expect(link).to_be_visible()
    look(page, f"pulse-notification-{suffix}")

    invite = PulseInvite.objects.get(user=sam)
    link.click()
    expect(page).to_have_url(f"{live_asgi}/pulse/{invite.token}/")
    expect(page.get_by_role("group", name="Did you meet someone new?")).to_be_visible()
    expect(page.get_by_text("Groups and shops never see your answers")).to_be_visible()
    look(page, f"pulse-1-{suffix}")
    page.get_by_role("button", name="Yes").click()

    expect(page.get_by_text("Question 2 of 3")).to_be_visible()
    look(page, f"pulse-2-{suffix}")
    page.get_by_role("button", name="No", exact=True).click()

    expect(page.get_by_text("Question 3 of 3")).to_be_visible()
    expect(page.get_by_role("group", name="people from different backgrounds")).to_be_visible()
    look(page, f"pulse-3-{suffix}")
    assert not PulseAnswer.objects.exists()  # nothing is written before the last tap
    page.get_by_role("button", name="Tend to agree").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    look(page, f"pulse-thanks-{suffix}")
    answer = PulseAnswer.objects.get()
    assert (answer.met_new, answer.met_different, answer.score) == (True, False, 2)

    # The link again, on a phone not logged in (an e-mail opened elsewhere): closed.
    elsewhere = browser.new_context(**browser_context_args, java_script_enabled=js)
    other = elsewhere.new_page()
    other.goto(f"{live_asgi}/pulse/{invite.token}/")
    expect(other.get_by_role("heading", level=1)).to_have_text("Already answered")
    look(other, f"pulse-used-{suffix}")
    elsewhere.close()
    phone.close()


def test_the_email_link_works_on_a_phone_that_is_not_logged_in(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    sam = make_user("sam@example.org", postcode="BK1 1AA")
    shift = past_shift_with([sam])
    off_the_loop(lambda: hours_confirm(shift=shift, minutes={}, by=organiser_of(shift)))
    invite = PulseInvite.objects.get(user=sam)
    page.goto(f"{live_asgi}/pulse/{invite.token}/")
    page.get_by_role("button", name="Skip this question").click()
    page.get_by_role("button", name="Skip this question").click()
    page.get_by_role("button", name="Definitely agree").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    answer = PulseAnswer.objects.get()
    assert (answer.met_new, answer.met_different, answer.score) == (None, None, 1)

    page.goto(f"{live_asgi}/pulse/not-a-real-link/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link doesn't work")
    checks.page(page, "pulse-unknown")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_about_me_is_answered_and_withdrawn_on_a_phone(
    live_asgi: str, checks: Checks, browser: Browser, browser_context_args: Any, js: bool
) -> None:
    suffix = "js" if js else "no-js"
    look = looker(checks, browser, browser_context_args, js)
    sam = make_user("sam@example.org", display_name="Sam", postcode="BK1 1AA")
    phone = browser.new_context(**browser_context_args, java_script_enabled=js)
    page = phone.new_page()
    log_in(page, live_asgi, sam.email)
    page.goto(live_asgi + "/accounts/details/")
    page.get_by_role("link", name="Answer or change “About me”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About me")
    look(page, f"about-me-{suffix}")

    page.get_by_role("button", name="Save my answers for the council's totals").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose your ethnic group")
    look(page, f"about-me-errors-{suffix}")

    page.get_by_role("group", name="What is your ethnic group?").get_by_label(
        "Prefer not to say"
    ).check()
    page.get_by_label("No religion").check()
    page.get_by_role("button", name="Save my answers for the council's totals").click()
    expect(page.get_by_role("status")).to_contain_text("Your answers are saved.")
    look(page, f"about-me-saved-{suffix}")
    saved = Background.objects.get(user=sam)
    assert (saved.ethnic_group, saved.religion) == ("unsaid", "none")

    page.get_by_role("button", name="Withdraw and delete my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Your answers are deleted.")
    assert not Background.objects.filter(user=sam).exists()
    phone.close()

"""The Content-Security-Policy and Permissions-Policy (backend/security.py) break nothing a
person uses: the main pages at 360 px load with no policy violation, the live socket
connects, the till takes a typed code with the camera still allowed, and the sponsor pay
page loads Stripe.js (localstripe here) and pays. The camera is the till's alone and
geolocation the board's. And the collector every browser test runs under
(tests/e2e/conftest.py `policy_violations`) hears a violation wherever it happens."""

from typing import Any

from playwright.sync_api import Browser, Page, Route, expect

from coins.funding import sponsorship_start
from coins.models import Account, Currency
from coins.services import account_for
from tests.e2e.conftest import PHONE, Checks, PolicyViolations
from tests.e2e.test_shop_pages import a_code_for, log_in
from tests.e2e.test_sponsor_journey import _type_card
from tests.marketplace.factories import make_shift, staff_of

ALLOWS = "(document.permissionsPolicy || document.featurePolicy).allowsFeature(%r)"


def visit(page: Page, url: str, checks: Checks, name: str, seen: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    checks.page(page, name)
    assert seen == [], f"{name}: {seen}"


def test_the_main_pages_load_with_no_policy_violation(
    page: Page,
    live_asgi: str,
    checks: Checks,
    stripe_keys: str,
    policy_violations: PolicyViolations,
) -> None:
    seen = policy_violations.seen
    shift = make_shift(title="Riverside planting")
    retailer, code = a_code_for(offer_price=12)
    sam = code.user

    visit(page, live_asgi + "/", checks, "csp-welcome", seen)
    visit(page, live_asgi + "/opportunities/", checks, "csp-board", seen)
    assert page.evaluate(ALLOWS % "geolocation") is True  # "near me"
    visit(
        page, f"{live_asgi}/opportunities/{shift.opportunity.pk}/", checks, "csp-opportunity", seen
    )

    log_in(page, live_asgi, sam)
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: (
            ws.on("framereceived", lambda frame: frames.append(str(frame)))
            if ws.url.endswith("/ws/notifications/")
            else None
        ),
    )
    visit(page, live_asgi + "/wallet/", checks, "csp-wallet", seen)
    assert page.evaluate(ALLOWS % "camera") is False  # the till alone may use it
    assert page.evaluate(ALLOWS % "geolocation") is False  # the board alone may ask
    for _ in range(50):  # the server says hello as soon as the socket is open
        if any('"hello"' in frame for frame in frames):
            break
        page.wait_for_timeout(100)
    assert any('"hello"' in frame for frame in frames), frames
    visit(page, f"{live_asgi}/rewards/codes/{code.pk}/", checks, "csp-code", seen)
    expect(page.get_by_role("img", name="Code for the shop to scan")).to_be_visible()
    typed = page.locator(".rewards-typed [aria-hidden]").inner_text().replace("\xa0", "")

    scheme = retailer.scheme
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    sponsorship, _ = sponsorship_start(scheme=scheme, sponsor=sam, account=fund, amount_pence=500)
    visit(page, f"{live_asgi}/sponsor/{sponsorship.pk}/pay/", checks, "csp-sponsor-pay", seen)
    expect(page.get_by_role("button", name="Pay £5.00")).to_be_enabled()  # Stripe.js ran
    _type_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay £5.00").click()  # Stripe.js calls Stripe's API
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert seen == [], f"sponsor payment: {seen}"
    page.context.clear_cookies()

    log_in(page, live_asgi, staff_of(retailer))
    visit(page, f"{live_asgi}/shop/{retailer.pk}/till/", checks, "csp-till", seen)
    assert page.evaluate(ALLOWS % "camera") is True  # the scan button may use it
    assert page.evaluate(ALLOWS % "microphone") is False
    page.get_by_label("Code on the resident's phone").fill(typed)
    page.get_by_role("button", name="Check code").click()
    expect(page.get_by_text("Sam", exact=True)).to_be_visible()
    checks.page(page, "csp-till-confirm")
    assert seen == [], f"till: {seen}"


def test_every_page_of_every_test_is_watched_for_violations(
    page: Page, browser: Browser, live_asgi: str, policy_violations: PolicyViolations
) -> None:
    """The autouse collector (tests/e2e/conftest.py) hears what the policy refuses, in the
    `page` fixture's page and in a second phone opened with browser.new_page(), and names
    the page and the directive; teardown fails any test that leaves it a violation."""
    seen = policy_violations.seen
    page.goto(live_asgi + "/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ran = 1";
          document.body.appendChild(script);
          const styled = document.createElement("p");
          styled.setAttribute("style", "color: red");
          document.body.appendChild(styled);
          navigator.geolocation.getCurrentPosition(() => {}, () => {});  // the board's alone
        }"""
    )
    phone = browser.new_page(viewport=PHONE)
    phone.goto(live_asgi + "/opportunities/")
    phone.evaluate(
        """() => {
          const sheet = document.createElement("style");
          sheet.textContent = "body { color: red }";
          document.head.appendChild(sheet);
        }"""
    )
    for _ in range(50):  # the reports arrive as tasks after the refusal
        if len([said for said in seen if "blocked inline" in said]) >= 3 and any(
            "Permissions policy" in said for said in seen
        ):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.ran") is None  # refused, not just reported
    caught = list(seen)
    seen.clear()  # caught on purpose: the teardown check is for the other tests
    home, board = live_asgi + "/: ", live_asgi + "/opportunities/: "
    assert home + "script-src-elem blocked inline" in caught, caught
    assert any(said.startswith(home + "style-src-attr blocked inline") for said in caught), caught
    assert any(said.startswith(board + "style-src-elem blocked inline") for said in caught), caught
    # Chromium's own console line is heard too, so a page without script still counts.
    assert any(
        said.startswith(home) and "Permissions policy violation: Geolocation" in said
        for said in caught
    ), caught
    console = "violates the following Content Security Policy directive"
    assert any(said.startswith(home) and console in said for said in caught), caught
    assert any(said.startswith(board) and console in said for said in caught), caught


def test_an_inline_style_in_a_template_is_caught_with_script_off(
    browser: Browser,
    browser_context_args: dict[str, Any],
    live_asgi: str,
    policy_violations: PolicyViolations,
) -> None:
    """What a template with a style="" attribute would send, under our own headers, to a
    phone with JavaScript off: Chromium's console line alone is enough to catch it."""
    seen = policy_violations.seen
    plain = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = plain.new_page()

    def with_an_inline_style(route: Route) -> None:
        response = route.fetch()  # the real page, its CSP header included
        body = response.text().replace("</body>", '<p style="color: red">Hi</p></body>', 1)
        route.fulfill(response=response, body=body)

    page.route(live_asgi + "/", with_an_inline_style)
    page.goto(live_asgi + "/")
    for _ in range(50):
        if seen:
            break
        page.wait_for_timeout(100)
    caught = list(seen)
    seen.clear()  # caught on purpose
    assert len(caught) == 1, caught
    assert caught[0].startswith(live_asgi + "/: "), caught
    assert "Content Security Policy directive" in caught[0], caught
    assert "style-src" in caught[0], caught

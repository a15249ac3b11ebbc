"""Pages that change by themselves: the socket says what happened, live.js shows a toast and
fetches the parts of the page marked data-live again, without a reload."""

import re
import time
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path

from django.db import connection, transaction
from playwright.sync_api import Browser, Page, WebSocket, WebSocketRoute, expect

from accounts.models import User
from notifications.live import live_refresh
from notifications.models import Notification
from notifications.services import notify
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.e2e.conftest import PHONE, Checks, off_the_loop
from tests.e2e.test_shop_pages import a_code_for, log_in
from tests.marketplace.factories import staff_of

LIVE_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "live.js"
CONTEXT = {"viewport": PHONE, "locale": "en-GB", "timezone_id": "Europe/London"}
# The mark a reload would wipe out.
MARK = "window.__sameDocument = true"
STILL_MARKED = "window.__sameDocument === true"


def sent_from_elsewhere(base: str, work: Callable[[], object]) -> None:
    """Work done outside the server's event loop, as a Celery worker would. The in-memory
    layer is not thread-safe: a message put on it from another thread is picked up when the
    server's loop next wakes, so wake it (over Redis this changes nothing)."""

    def then_close() -> None:
        try:
            work()
        finally:
            connection.close()  # this thread's own; left open, it blocks dropping the test database

    off_the_loop(then_close)
    urllib.request.urlopen(base + "/healthz", timeout=5).close()  # noqa: S310 (our own server)


def open_wallet(page: Page, base: str, user: User, balance: str) -> None:
    log_in(page, base, user)
    page.get_by_role("link", name="Wallet", exact=True).click()
    expect(page.locator("[data-balance]")).to_have_text(balance)
    page.evaluate(MARK)


def test_the_wallet_shows_a_payment_at_the_till_within_2_seconds_without_a_reload(
    browser: Browser, live_asgi: str, checks: Checks
) -> None:
    retailer, code = a_code_for(offer_price=12)
    sam = code.user
    # Already in the list when the page loads: news to nobody, so no toast.
    Notification.objects.create(user=sam, kind="test", title="Old news")
    resident = browser.new_context(**CONTEXT).new_page()  # type: ignore[arg-type]
    shop = browser.new_context(**CONTEXT).new_page()  # type: ignore[arg-type]
    open_wallet(resident, live_asgi, sam, "30")

    log_in(shop, live_asgi, staff_of(retailer))
    shop.goto(f"{live_asgi}/shop/{retailer.pk}/till/")
    shop.get_by_label("Code on the resident's phone").fill(code.code)
    shop.get_by_role("button", name="Check code").click()
    expect(shop.get_by_text("Sam", exact=True)).to_be_visible()
    started = time.monotonic()
    shop.get_by_role("button", name="Confirm: take 12 Citizen Coins").click()

    toast = resident.locator("[data-toasts] .toast")
    expect(toast).to_contain_text("You paid 12 Citizen Coins at Corner Bakery", timeout=2000)
    left_ms = max(1.0, 2000 - (time.monotonic() - started) * 1000)
    expect(resident.locator("[data-balance]")).to_have_text("18", timeout=left_ms)
    assert time.monotonic() - started < 2.0
    assert resident.evaluate(STILL_MARKED), "the wallet page was reloaded"
    expect(resident.get_by_role("row").nth(1)).to_contain_text("Loaf of bread at Corner Bakery")
    expect(resident.locator("[data-unread-badge]")).to_have_text("2")
    expect(toast).to_have_count(1)  # not "Old news"
    expect(shop.get_by_role("heading", level=1)).to_have_text("Paid")
    checks.page(resident, "live-wallet-after-payment")


def test_a_refresh_waits_while_the_person_is_in_the_changed_part_then_keeps_their_focus(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    sam = make_user("sam@example.org", display_name="Sam")
    scheme = make_scheme()
    off_the_loop(lambda: give_coins(scheme, sam, 30))
    open_wallet(page, live_asgi, sam, "30")
    page.get_by_label("Show").focus()  # the month list, inside the wallet's live part

    def gift_arrives() -> None:
        with transaction.atomic():
            give_coins(scheme, sam, 5, key="late-gift")
            live_refresh(user_ids=[sam.pk], fragments=["wallet"])

    sent_from_elsewhere(live_asgi, gift_arrives)
    page.wait_for_timeout(1000)
    expect(page.locator("[data-balance]")).to_have_text("30")  # not pulled from under them
    expect(page.get_by_label("Show")).to_be_focused()

    skip_link = page.get_by_role("link", name="Skip to main content")
    skip_link.focus()  # outside the live part
    expect(page.locator("[data-balance]")).to_have_text("35", timeout=2000)
    expect(skip_link).to_be_focused()
    assert page.evaluate(STILL_MARKED), "the wallet page was reloaded"
    checks.page(page, "live-wallet-after-refresh")


def test_notifications_sent_while_the_phone_was_offline_arrive_once_when_it_is_back(
    browser: Browser, live_asgi: str
) -> None:
    sam = make_user("sam@example.org", display_name="Sam")
    context = browser.new_context(**CONTEXT)  # type: ignore[arg-type]
    page = context.new_page()
    sockets: list[WebSocket] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    log_in(page, live_asgi, sam)
    page.evaluate(MARK)
    page.evaluate(
        "window.__shown = [];"
        "document.addEventListener('citizencoin:notification',"
        " function (event) { window.__shown.push(event.detail.title); })"
    )
    wait_for(lambda: len(sockets) == 1, page)

    context.set_offline(True)
    for n in (1, 2, 3):
        sent_from_elsewhere(
            live_asgi, partial(notify, recipients=[sam], kind="test", title=f"Missed {n}", body="")
        )
    page.wait_for_timeout(500)
    assert page.evaluate("window.__shown") == []  # the page heard nothing while offline
    context.set_offline(False)  # the browser says "online": live.js opens a new socket now

    toasts = page.locator("[data-toasts] .toast")
    expect(toasts).to_have_text(["Missed 1", "Missed 2", "Missed 3"], timeout=3000)
    expect(page.locator("[data-unread-badge]")).to_have_text("3")
    assert len(sockets) == 2
    page.wait_for_timeout(500)
    expect(toasts).to_have_count(3)
    assert page.evaluate("window.__shown") == ["Missed 1", "Missed 2", "Missed 3"]  # once each
    assert page.evaluate(STILL_MARKED)


def test_a_socket_that_stops_answering_pings_is_replaced(page: Page, live_asgi: str) -> None:
    sam = make_user("sam@example.org", display_name="Sam")
    script = LIVE_JS.read_text()
    quick = script.replace("PING_EVERY = 25000", "PING_EVERY = 300").replace(
        "PONG_WITHIN = 10000", "PONG_WITHIN = 300"
    )
    assert quick.count("= 300;") == 2, "live.js's timings have moved: update this test"
    page.route(
        re.compile(r"/static/js/live(\.[0-9a-f]+)?\.js$"),
        lambda route: route.fulfill(body=quick, content_type="text/javascript"),
    )
    routed: list[WebSocketRoute] = []

    def a_socket_that_goes_quiet(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        routed.append(socket)
        if len(routed) == 1:  # the first connection loses every pong, as a dead one would
            server.on_message(
                lambda message: None if "pong" in str(message) else socket.send(message)
            )

    page.route_web_socket(re.compile(r"/ws/notifications/$"), a_socket_that_goes_quiet)
    log_in(page, live_asgi, sam)
    page.evaluate(MARK)
    wait_for(lambda: len(routed) == 2, page)

    sent_from_elsewhere(
        live_asgi, lambda: notify(recipients=[sam], kind="test", title="Still here", body="")
    )
    expect(page.locator("[data-toasts] .toast")).to_have_text(["Still here"], timeout=2000)
    assert page.evaluate(STILL_MARKED)


def wait_for(condition: Callable[[], bool], page: Page, timeout_s: float = 5) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)

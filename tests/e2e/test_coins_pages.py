"""The wallet as people read it, at 360 px: the scheme's own coin ("1 Bracken"), when the
coins expire with a button to give them, a gift that says the same whoever has the
address, and the hours page of a scheme that gives no coins, with its download."""

from datetime import datetime, time, timedelta
from functools import partial
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from coins.expiry import add_months
from coins.models import Scheme
from marketplace.board.models import GroupOrganiser, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.e2e.conftest import Checks, off_the_loop
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.factories import make_group, make_shift


def test_the_wallet_names_the_coin_says_when_it_expires_and_gives_it_away(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    scheme = make_scheme(coin_name="Bracken", expiry_months=6)
    wren = make_user("wren-wallet@example.org", display_name="Wren")
    give_coins(scheme, wren, 1)
    due = add_months(timezone.localdate(), 6)

    log_in(page, live_asgi, wren.email)
    page.get_by_role("link", name="Wallet").click()
    expect(page.locator(".balance")).to_have_text("You have 1 Bracken.")
    note = page.locator(".expiry")
    expect(note).to_contain_text(
        f"1 Bracken expires on {due.day} {due:%B %Y} unless you spend or give it."
    )
    expect(note.get_by_role("link", name="Give coins")).to_be_visible()
    checks.page(page, "wallet-expiry")

    give_coins(scheme, wren, 11)
    page.reload()
    expect(page.locator(".balance")).to_have_text("You have 12 Brackens.")
    expect(note).to_contain_text(f"12 Brackens expire on {due.day} {due:%B %Y}")
    note.get_by_role("link", name="Give coins").click()
    expect(page.get_by_text("You have 12 Brackens.")).to_be_visible()
    page.get_by_label("Who to give to").select_option(label="Another resident")
    page.get_by_label("Their email address").fill("not-joined-yet@example.org")
    page.get_by_label("How many Brackens").fill("1")
    checks.page(page, "wallet-give-resident")
    page.get_by_role("button", name="Give").click()
    expect(page.get_by_role("status")).to_contain_text(
        "If someone with the address not-joined-yet@example.org has joined Testford, your "
        "gift of 1 Bracken is theirs now. If nobody has yet, we keep it for 14 days"
    )
    expect(page.locator("[data-balance]")).to_have_text("11")
    checks.page(page, "wallet-after-gift")


def test_a_scheme_of_hours_only_shows_the_hours_given_and_downloads_them(
    page: Page, live_asgi: str, checks: Checks, tmp_path: Path
) -> None:
    group = make_group("Park Friends")
    Scheme.objects.filter(pk=group.scheme_id).update(participation_only=True)
    volunteer = make_user("vi-hours@example.org", display_name="Vi")
    organiser = GroupOrganiser.objects.get(group=group).user
    for days_ago, title in ((1, "Riverside planting"), (40, "Tea dance at the hall")):
        shift = make_shift(group=group, title=title)
        day = timezone.localdate() - timedelta(days=days_ago)
        start = timezone.make_aware(datetime.combine(day, time(10)))
        Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
        Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
        confirm = partial(hours_confirm, shift=Shift.objects.get(pk=shift.pk), minutes={})
        off_the_loop(partial(confirm, by=organiser))

    log_in(page, live_asgi, volunteer.email)
    page.get_by_role("link", name="Wallet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your hours")
    expect(page.locator(".balance")).to_have_text("You have given 4 h in 2 sessions.")
    expect(page.get_by_role("table")).to_contain_text(f"{timezone.localdate():%B %Y}")
    expect(page.get_by_text("coins appear here")).to_have_count(0)
    checks.page(page, "wallet-hours")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download every session (CSV)").click()
    saved = tmp_path / "hours.csv"
    download.value.save_as(saved)
    rows = saved.read_text().splitlines()
    assert rows[0] == "date,what,minutes,hours"
    assert rows[1].endswith(",Riverside planting with Park Friends,120,2")
    assert len(rows) == 3

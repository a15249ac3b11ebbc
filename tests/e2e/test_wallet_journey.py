from datetime import datetime, time, timedelta

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from coins.models import Account, Scheme, SchemeAdmin
from coins.services import account_for
from marketplace.board.models import GroupOrganiser, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from tests.conftest import make_user
from tests.e2e.conftest import PHONE, Checks, off_the_loop
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.factories import make_shift


def yesterday_at(hour: int) -> datetime:
    day = timezone.localdate() - timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_confirmed_hours_land_in_the_wallet_with_the_cap_explained(
    page: Page, live_asgi: str, checks: Checks, browser: Browser
) -> None:
    volunteer = make_user("vi@example.org", display_name="Vi")
    shifts = []
    for hour, title in ((9, "Food bank sorting"), (13, "Riverside planting")):
        shift = make_shift(title=title)
        Shift.objects.filter(pk=shift.pk).update(
            start=yesterday_at(hour), end=yesterday_at(hour + 3)
        )
        Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
        shifts.append(Shift.objects.get(pk=shift.pk))
    group = shifts[0].opportunity.group
    Scheme.objects.filter(pk=group.scheme_id).update(daily_cap=40)
    account_for(scheme=group.scheme, kind=Account.Kind.GROUP, owner=group)
    organiser = GroupOrganiser.objects.get(group=group).user
    # The morning's 30 coins (sent from a thread of its own, as a view would).
    off_the_loop(lambda: hours_confirm(shift=shifts[0], minutes={}, by=organiser))

    log_in(page, live_asgi, organiser.email)
    page.goto(f"{live_asgi}/organise/shifts/{shifts[1].pk}/")
    page.get_by_role("button", name="Confirm hours for everyone").click()
    expect(page.get_by_role("status")).to_contain_text("Confirmed hours for 1 volunteer.")

    phone = browser.new_page(viewport=PHONE)
    log_in(phone, live_asgi, volunteer.email)
    phone.get_by_role("link", name="Wallet").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your wallet")
    expect(phone.locator("[data-balance]")).to_have_text("40")
    newest = phone.get_by_role("row").nth(1)
    expect(newest).to_contain_text("3 h volunteering: Riverside planting")
    expect(newest).to_contain_text("20 Citizen Coins held back by the daily limit of 40")
    expect(newest).to_contain_text("+10")
    checks.page(phone, "wallet")

    phone.get_by_role("link", name="Give coins").click()
    phone.get_by_role("button", name="Give").click()
    expect(phone.get_by_role("alert")).to_contain_text("Choose who to give your coins to.")
    checks.page(phone, "wallet-give-errors")
    phone.get_by_label("Who to give to").select_option(label=group.name)
    phone.get_by_label("How many Citizen Coins").fill("5")
    phone.get_by_role("button", name="Give").click()
    expect(phone.get_by_role("status")).to_contain_text(f"Gift to {group.name}: 5 Citizen Coins")
    expect(phone.locator("[data-balance]")).to_have_text("35")
    phone.close()


def test_a_council_officer_finds_a_wallet_and_reverses_a_movement(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    shift = make_shift(title="Litter pick")
    Shift.objects.filter(pk=shift.pk).update(start=yesterday_at(9), end=yesterday_at(12))
    volunteer = make_user("vi@example.org", display_name="Vi")
    Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    group = shift.opportunity.group
    organiser = GroupOrganiser.objects.get(group=group).user
    past = Shift.objects.get(pk=shift.pk)
    off_the_loop(lambda: hours_confirm(shift=past, minutes={}, by=organiser))
    council = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=group.scheme, user=council)

    log_in(page, live_asgi, council.email)
    page.locator("summary", has_text="Menu").click()  # the rest of the menu
    page.get_by_role("link", name="Ledger").click()
    checks.page(page, "council-ledger")
    page.get_by_label("Resident's email").fill("vi@example.org")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Resident wallet").click()
    checks.page(page, "council-account")
    page.get_by_role("textbox", name="Reason to reverse").first.fill("Hours entered twice")
    page.get_by_role("button", name="Reverse").first.click()
    expect(page.get_by_role("status")).to_contain_text("Reversed. The reason is recorded")
    expect(page.get_by_text("Balance 0 Citizen Coins")).to_be_visible()

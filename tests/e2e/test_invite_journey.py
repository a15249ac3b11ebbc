"""Bring a friend, in the browser at 360 px: a resident shares an invite link, a friend
new to Citizen Coin signs up from it onto the same shift, both come, both get the bonus."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from coins.models import Scheme
from marketplace.board.models import GroupOrganiser, Shift, Signup
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import PHONE, Checks
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.factories import make_group, make_shift

BONUS = "Bonus: you and a friend both came to Riverside planting, "


def test_a_friend_signs_up_from_the_link_to_the_same_shift_and_both_get_the_bonus(
    page: Page, live_asgi: str, checks: Checks, browser: Browser
) -> None:
    group = make_group("River Friends")
    Scheme.objects.filter(pk=group.scheme_id).update(bonus_friend=5)
    shift = make_shift(group=group, title="Riverside planting", capacity=4)
    sam = make_user("sam@example.org", display_name="Sam")

    # Sam signs up, then asks for an invite link for the same shift and copies it.
    log_in(page, live_asgi, sam.email)
    page.goto(f"{live_asgi}/opportunities/{shift.opportunity_id}/")
    page.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    expect(page.get_by_role("status")).to_contain_text("You're going to Riverside planting.")
    page.get_by_role("link", name="Riverside planting", exact=True).click()
    checks.page(page, "invite-opportunity")
    page.get_by_role("button", name=re.compile(r"^Invite a friend to the shift on ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Invite a friend to Riverside planting"
    )
    link_box = page.get_by_label("Your invite link")
    link = link_box.input_value()
    assert re.fullmatch(rf"{live_asgi}/invite/[\w-]{{20,}}/", link), link
    checks.page(page, "invite-share")

    # Priya, new and not logged in, opens it: she sees who invited her, and signs up.
    friend = browser.new_page(viewport=PHONE)
    friend.goto(link)
    expect(friend.get_by_role("heading", level=1)).to_have_text(
        "Sam invited you to Riverside planting"
    )
    expect(friend.get_by_role("button", name=re.compile("Sign up to this shift"))).to_have_count(0)
    checks.page(friend, "invite-landing-logged-out")
    friend.get_by_role("link", name="Sign up to Citizen Coin").click()
    expect(friend.get_by_role("heading", level=1)).to_have_text("Sign Up")
    # An address of her own: allauth sends one confirmation per address in 3 minutes, and
    # the sign-up journey's test may have just used another's.
    friend.get_by_label("Email").fill("priya.invited@example.org")
    friend.get_by_label("Password", exact=True).fill(PASSWORD)
    friend.get_by_label("Password (again)").fill(PASSWORD)
    friend.get_by_label("What should we call you?").fill("Priya")
    friend.get_by_label("18 or over").check()
    friend.get_by_role("button", name="Sign Up").click()
    expect(friend.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    confirm = re.search(r"https?://\S+/accounts/confirm-email/\S+/", str(mail.outbox[-1].body))
    assert confirm, mail.outbox[-1].body
    friend.goto(confirm.group(0))
    friend.get_by_role("button", name="Confirm").click()
    # Confirming logs her in and takes her back to Sam's invite.
    expect(friend.get_by_role("heading", level=1)).to_have_text(
        "Sam invited you to Riverside planting"
    )
    checks.page(friend, "invite-landing")
    friend.get_by_role("button", name=re.compile("^Sign up to this shift")).click()

    # Both see it in My shifts, each side of the invite.
    expect(friend.get_by_role("status")).to_contain_text("You're going to Riverside planting.")
    expect(friend.get_by_role("heading", level=1)).to_have_text("My shifts")
    expect(friend.get_by_text("Sam invited you.")).to_be_visible()
    checks.page(friend, "invite-my-shifts-friend")
    priya = Signup.objects.get(user__email="priya.invited@example.org")
    assert (priya.shift_id, priya.brought_by_id, priya.status) == (shift.pk, sam.pk, "confirmed")
    page.goto(f"{live_asgi}/my-shifts/")
    expect(page.get_by_text("Priya signed up through your invite link.")).to_be_visible()
    checks.page(page, "invite-my-shifts-inviter")

    # The shift happens; the organiser confirms everyone's hours.
    start = timezone.now() - timedelta(hours=4)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    organiser = browser.new_page(viewport=PHONE)
    log_in(organiser, live_asgi, GroupOrganiser.objects.get(group=group).user.email)
    organiser.goto(f"{live_asgi}/organise/shifts/{shift.pk}/")
    organiser.get_by_role("button", name="Confirm hours for everyone").click()
    expect(organiser.get_by_role("status")).to_contain_text("Confirmed hours for 2 volunteers.")
    organiser.close()

    # Both wallets show the friend bonus.
    for person, name in ((page, "invite-wallet-inviter"), (friend, "invite-wallet-friend")):
        person.goto(f"{live_asgi}/wallet/")
        expect(person.get_by_role("heading", level=1)).to_have_text("Your wallet")
        expect(person.get_by_text(BONUS)).to_be_visible()
        checks.page(person, name)

    # A link copied only in part says so, and where to go instead.
    friend.goto(f"{live_asgi}/invite/{link.rstrip('/').rsplit('/', 1)[1][:-3]}/")
    expect(friend.get_by_role("heading", level=1)).to_have_text("This invite link doesn't work")
    checks.page(friend, "invite-missing")
    friend.close()

"""Before a first shift, in the browser at 360 px: a new resident joins with a name and is
asked the date of birth by a 16+ shift, then signed up; an under-16's parent follows the
e-mailed link and consents, then the under-16 signs up and the organiser sees the consent
on file; an expired DBS check is named at sign-up, and organisers see what expires soon."""

import re
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from marketplace.board.models import DbsRecord, GroupOrganiser, Signup
from marketplace.board.services.dbs import DBS_CURRENT_FOR
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import PHONE, Checks
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.factories import make_group, make_shift


def join(page: Page, live_asgi: str, *, email: str, name: str, age_group: str) -> None:
    """Sign up to Citizen Coin and confirm the e-mail, as a new resident does."""
    page.goto(live_asgi + "/accounts/signup/")
    page.get_by_label("What should we call you?").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label(age_group).check()
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")


def test_a_new_resident_is_asked_the_date_of_birth_by_a_16_plus_shift_then_signed_up(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    shift = make_shift(title="Night shelter breakfast", minimum_age=16)
    page.goto(live_asgi + "/accounts/signup/")
    # The name is part of joining: left blank, the form says why it is needed.
    page.get_by_label("Email").fill("ria.first@example.org")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Tell us what to call you: the organisers of your shifts need a name."
    )
    checks.page(page, "first-shift-01-signup-needs-a-name")
    join(page, live_asgi, email="ria.first@example.org", name="Ria", age_group="18 or over")

    page.goto(f"{live_asgi}/opportunities/{shift.opportunity_id}/")
    page.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before your first shift")
    expect(page.get_by_role("status")).to_contain_text(
        "This opportunity is for people aged 16 or over. Tell us your date of birth"
    )
    expect(page.get_by_role("link", name="Your details")).to_be_visible()
    checks.page(page, "first-shift-02-asks-date-of-birth")
    page.get_by_label("Your date of birth").fill("1994-07-21")
    page.get_by_role("button", name="Save and sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My shifts")
    expect(page.get_by_role("status")).to_contain_text("You're going to Night shelter breakfast.")
    checks.page(page, "first-shift-03-signed-up")
    signup = Signup.objects.select_related("user").get()
    assert signup.user.display_name == "Ria" and str(signup.user.birth_date) == "1994-07-21"


def test_an_under_16s_parent_consents_by_the_emailed_link_then_they_sign_up(
    page: Page, live_asgi: str, checks: Checks, browser: Browser
) -> None:
    shift = make_shift(title="Library reading buddies")
    join(page, live_asgi, email="kai.young@example.org", name="Kai", age_group="13 to 17")
    page.goto(f"{live_asgi}/opportunities/{shift.opportunity_id}/")
    page.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before your first shift")
    expect(page.get_by_role("status")).to_contain_text("Tell us your date of birth")
    today = timezone.localdate()
    page.get_by_label("Your date of birth").fill(f"{today.year - 14}-03-09")
    page.get_by_role("button", name="Save and sign up").click()

    expect(page.get_by_role("heading", name="Ask a parent or guardian")).to_be_visible()
    checks.page(page, "consent-01-ask")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your parent or guardian's email")
    page.get_by_label("Your parent or guardian's email address").fill("kai.parent@example.org")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Waiting for kai.parent@example.org")).to_be_visible()
    checks.page(page, "consent-02-waiting")
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("We are waiting for your parent")

    # The parent, on their own phone and not logged in, follows the e-mailed link.
    sent = mail.outbox[-1]
    assert sent.to == ["kai.parent@example.org"]
    link = re.search(r"(https?://\S+?)(/accounts/guardian/[\w-]+/)", str(sent.body))
    assert link and link.group(1) == settings.SITE_URL, sent.body  # absolute, to the site
    parent = browser.new_page(viewport=PHONE)
    parent.goto(live_asgi + link.group(2))
    expect(parent.get_by_role("heading", level=1)).to_have_text("Consent for Kai to volunteer")
    expect(parent.get_by_role("heading", name="What you are agreeing to")).to_be_visible()
    checks.page(parent, "consent-03-guardian")
    parent.get_by_role("button", name="I give my consent").click()
    expect(parent.get_by_role("status")).to_contain_text("Your consent is recorded.")
    expect(parent.get_by_role("button", name="Withdraw my consent")).to_be_visible()
    checks.page(parent, "consent-04-given")
    parent.close()

    page.reload()
    page.get_by_role("button", name="Now sign up").click()
    expect(page.get_by_role("status")).to_contain_text("You're going to Library reading buddies.")

    organiser = browser.new_page(viewport=PHONE)
    log_in(
        organiser, live_asgi, GroupOrganiser.objects.get(group=shift.opportunity.group).user.email
    )
    organiser.goto(f"{live_asgi}/organise/shifts/{shift.pk}/")
    row = organiser.get_by_role("row", name=re.compile("^Kai"))
    expect(row).to_contain_text("Under 16: parent's consent on file")
    checks.page(organiser, "consent-05-organiser-list")
    organiser.close()


def test_an_expired_dbs_check_is_named_at_sign_up_and_the_organiser_sees_it(
    page: Page, live_asgi: str, checks: Checks, browser: Browser
) -> None:
    group = make_group("Youth Club")
    shift = make_shift(group=group, title="Youth club helper", dbs_required=True)
    vi = make_user("vi.dbs@example.org", display_name="Vi")
    expired = timezone.localdate() - timedelta(days=12)
    DbsRecord.objects.create(
        user=vi, outcome="clear", checked_on=expired - DBS_CURRENT_FOR, group=group
    )
    soon = make_user("sol.dbs@example.org", display_name="Sol")
    DbsRecord.objects.create(
        user=soon,
        outcome="clear",
        checked_on=timezone.localdate() + timedelta(days=25) - DBS_CURRENT_FOR,
        group=group,
    )

    log_in(page, live_asgi, vi.email)
    page.goto(f"{live_asgi}/opportunities/{shift.opportunity_id}/")
    page.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    expect(page.get_by_role("status")).to_have_text(
        f"Your DBS check expired on {expired:%-d %B %Y}. Ask the group's organiser to record "
        "your new one, then sign up."
    )
    checks.page(page, "dbs-01-expired-at-sign-up")

    organiser = browser.new_page(viewport=PHONE)
    log_in(organiser, live_asgi, GroupOrganiser.objects.get(group=group).user.email)
    organiser.goto(f"{live_asgi}/organise/")
    organiser.get_by_role("link", name="DBS checks held by Youth Club").click()
    expect(organiser.get_by_role("heading", level=1)).to_have_text("DBS checks")
    expect(organiser.get_by_role("heading", name="Vi")).to_be_visible()
    expect(
        organiser.get_by_text("2 volunteers · 1 expired · 1 expires in the next 60 days")
    ).to_be_visible()
    checks.page(organiser, "dbs-02-organiser-list")
    assert not Signup.objects.exists()
    organiser.close()

"""On a 360 px phone a resident downloads their data from Your details (a zip: the JSON
and a CSV of each kind of record), then deletes their account, giving their coins to a
community group first; and a council officer deletes a resident's account at their
request."""

import csv
import io
import json
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from accounts.models import Erasure
from coins.models import Account, SchemeAdmin
from coins.services import account_for, wallet_for
from marketplace.board.services.hours import hours_confirm
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import Checks
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.test_hours import organiser_of
from tests.marketplace.test_hours_coins import past_shift


def test_a_resident_downloads_their_data_then_deletes_their_account(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    sam = make_user("leaving.sam@example.org", display_name="Sam")
    shift = past_shift(sam, hours_ago=4, title="Canal clean-up")
    hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
    group = shift.opportunity.group
    park_friends = account_for(scheme=group.scheme, kind=Account.Kind.GROUP, owner=group)
    log_in(page, live_asgi, sam.email)

    page.goto(live_asgi + "/accounts/details/")
    checks.page(page, "leaving-details")
    with page.expect_download() as fetched:
        page.get_by_role("link", name="Download your data").click()
    download = fetched.value
    assert download.suggested_filename.startswith("citizen-coin-my-data-")
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(Path(download.path())) as archive:
        data = json.loads(archive.read("my-data.json"))
        hours = list(csv.DictReader(io.StringIO(archive.read("hours.csv").decode())))
    assert data["volunteering"]["signups"][0]["opportunity"] == "Canal clean-up"
    assert hours[0]["opportunity"] == "Canal clean-up"

    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    expect(page.get_by_text("Coins left in your wallet go to a community group")).to_be_visible()
    checks.page(page, "leaving-delete")

    page.get_by_label("Your 30 Citizen Coins in Testford").select_option(
        label="Give them to Park Friends"
    )
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not your password")
    checks.page(page, "leaving-delete-error")
    assert wallet_for(scheme=shift.opportunity.scheme, user=sam).balance == 30

    # The choice of group is kept after the error.
    expect(page.get_by_label("Your 30 Citizen Coins in Testford")).to_have_value(
        str(park_friends.pk)
    )
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is deleted")
    checks.page(page, "leaving-deleted")
    assert wallet_for(scheme=shift.opportunity.scheme, user=sam).balance == 0
    park_friends.refresh_from_db()
    assert park_friends.balance == 30
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_a_council_officer_deletes_an_account_at_the_residents_request(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    kim = make_user("asking.kim@example.org", display_name="Kim")
    shift = past_shift(kim, hours_ago=4, title="Canal clean-up")
    hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
    rita = make_user("rita.officer@example.org", display_name="Rita")
    SchemeAdmin.objects.create(scheme=shift.opportunity.scheme, user=rita)
    log_in(page, live_asgi, rita.email)

    page.get_by_role("link", name="Delete a resident's account at their request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Delete a resident's account on request"
    )
    checks.page(page, "council-erase")
    page.get_by_label("The resident's e-mail address").fill("nobody.here@example.org")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_contain_text("No resident of your town")
    checks.page(page, "council-erase-not-found")

    page.get_by_label("The resident's e-mail address").fill(kim.email)
    page.get_by_role("button", name="Find").click()
    expect(
        page.get_by_role("heading", level=2, name="asking.kim@example.org (Kim)")
    ).to_be_visible()
    checks.page(page, "council-erase-confirm")
    page.get_by_label("How they asked, and your reference").fill("Phone call, case 88")
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete this account").click()
    expect(page.get_by_role("status")).to_contain_text("The account is deleted")
    checks.page(page, "council-erased")
    kim.refresh_from_db()
    assert not kim.is_active
    assert Erasure.objects.get(account=kim).by_id == rita.pk

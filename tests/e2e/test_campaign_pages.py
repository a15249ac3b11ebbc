from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from coins.models import Scheme, SchemeAdmin
from marketplace.board.models import Campaign, Opportunity
from tests.conftest import make_user
from tests.e2e.conftest import PHONE, Checks
from tests.e2e.test_shop_pages import log_in
from tests.marketplace.factories import make_group
from tests.marketplace.test_pathway import offered, volunteered


def test_campaigns_tasters_and_what_next_at_phone_width(
    page: Page, live_asgi: str, checks: Checks, browser: Browser, tmp_path: Path
) -> None:
    scheme = Scheme.objects.create(name="Testford", slug="testford")
    council = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=scheme, user=council)
    resident = make_user("sam@example.org", display_name="Sam", postcode="BK1 1AA")
    volunteered(resident, group=make_group("Park Friends"), causes=["environment"])
    food = make_group("Food Bank")
    offered("Try a food bank shift", group=food, postcode="BK1 1AA", taster=True)
    offered("Sort donations", group=food, postcode="BK4 1AA")
    offered("Eastfield garden", group=food, postcode="BK3 1AA", causes=["community"])

    # The council makes a campaign, by keyboard, with a picture.
    log_in(page, live_asgi, council)
    page.goto(live_asgi + "/council/groups/")
    page.get_by_role("link", name="campaigns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("The Great Get Together")
    today = timezone.localdate()
    page.get_by_label("Starts on").fill(today.isoformat())
    page.get_by_label("Ends on").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("What is it about?").fill("Two weeks of meeting the neighbours.")
    picture = tmp_path / "table.png"
    Image.new("RGB", (1200, 800), "gold").save(picture)
    page.get_by_label("Picture (optional)").set_input_files(str(picture))
    page.get_by_role("button", name="Save the campaign").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "The end date must be on or after the start date."
    )
    expect(page.get_by_role("alert")).to_contain_text("Say what the picture shows")
    checks.page(page, "council-campaign-errors")
    page.get_by_label("Ends on").fill((today + timedelta(days=14)).isoformat())
    page.get_by_label("What the picture shows").fill("Neighbours at a long table in the park")
    page.get_by_label("Picture (optional)").set_input_files(str(picture))
    page.get_by_role("button", name="Save the campaign").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “The Great Get Together”")
    checks.page(page, "council-campaigns")
    campaign = Campaign.objects.get()
    Opportunity.objects.filter(group=food).update(campaign=campaign)

    # Anyone finds it from the board, and sees its opportunities and who took part.
    visitor = browser.new_page(viewport=PHONE)
    visitor.goto(live_asgi + "/opportunities/")
    visitor.get_by_role("link", name="council's campaigns").click()
    checks.page(visitor, "campaigns")
    visitor.get_by_role("link", name="The Great Get Together").click()
    expect(visitor.get_by_role("img", name="Neighbours at a long table")).to_be_visible()
    expect(visitor.get_by_role("link", name="Try a food bank shift")).to_be_visible()
    expect(visitor.get_by_text("People with a place")).to_be_visible()
    checks.page(visitor, "campaign")

    # The taster filter, by keyboard.
    visitor.goto(live_asgi + "/opportunities/")
    visitor.get_by_text("Filters").click()
    visitor.get_by_label("Tasters only: short, no commitment").focus()
    visitor.keyboard.press("Space")
    visitor.get_by_role("button", name="Search", exact=True).focus()
    visitor.keyboard.press("Enter")
    expect(visitor.get_by_role("heading", name="1 opportunity")).to_be_visible()
    results = visitor.get_by_role("list", name="opportunit")
    expect(results).to_contain_text("Taster")
    checks.page(visitor, "board-tasters")
    visitor.close()

    # After a first shift, what next: a taster first, and one outside the ward.
    resident_page = browser.new_page(viewport=PHONE)
    log_in(resident_page, live_asgi, resident)
    resident_page.goto(live_asgi + "/my-shifts/")
    expect(resident_page.get_by_role("heading", name="What next?")).to_be_visible()
    resident_page.get_by_role("link", name="More ideas for what to do next").click()
    suggestions = resident_page.get_by_role("listitem").filter(has_text="Next:")
    expect(suggestions.first).to_contain_text("Try a food bank shift")
    expect(resident_page.get_by_text("Outside your ward")).to_be_visible()
    checks.page(resident_page, "what-next")
    resident_page.close()

"""A volunteer's bonuses on their wallet at 360 px: a statement line each, and a badge where
the monthly bonus limit held the coins back."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from coins.models import Scheme
from marketplace.board.models import GroupOrganiser, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from places.models import Postcode
from tests.conftest import make_user
from tests.e2e.conftest import Checks, off_the_loop
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.factories import make_group, make_shift


def test_bonus_lines_and_badges_on_the_wallet(page: Page, live_asgi: str, checks: Checks) -> None:
    home = Postcode.objects.filter(ward__isnull=False).order_by("pk").first()
    away = Postcode.objects.exclude(ward=home.ward).filter(ward__isnull=False).first()  # type: ignore[union-attr]
    assert home is not None and away is not None
    volunteer = make_user("vi@example.org", display_name="Vi", postcode=home.postcode)
    group = make_group()
    Scheme.objects.filter(pk=group.scheme_id).update(
        bonus_first_session=5, bonus_outside_ward=5, bonus_monthly_cap=5
    )
    shift = make_shift(group=group, title="Riverside planting", ward=away.ward)
    day = timezone.localdate() - timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, time(10)))
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    organiser = GroupOrganiser.objects.get(group=group).user
    off_the_loop(
        lambda: hours_confirm(shift=Shift.objects.get(pk=shift.pk), minutes={}, by=organiser)
    )

    log_in(page, live_asgi, volunteer.email)
    page.get_by_role("link", name="Wallet").click()
    expect(page.locator("[data-balance]")).to_have_text("25")
    bonus = page.get_by_role("row").filter(has_text="Bonus: your first ever session")
    expect(bonus).to_contain_text(f"Riverside planting, {day:%-d %b}")
    expect(bonus).to_contain_text("+5")
    badges = page.get_by_role("list").filter(has_text="A shift outside your own ward")
    expect(badges).to_contain_text(f"{timezone.localdate():%-d %b %Y}")
    expect(page.get_by_role("heading", name="Your badges")).to_be_visible()
    checks.page(page, "wallet-bonuses")

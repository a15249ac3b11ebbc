"""The shop's pages: registering, offers, the till, receipts, refunds, the dashboard."""

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts.models import User
from coins.models import Account, Scheme, SchemeAdmin, Transfer
from coins.services import account_for, wallet_for
from marketplace.images import THUMBNAIL_WIDTHS
from marketplace.organisations import Status
from marketplace.rewards.models import Offer, Redemption, Retailer, RetailerApiKey, RetailerStaff
from marketplace.rewards.services.redemptions import redemption_code_create
from marketplace.rewards.till import signed
from notifications.models import Notification
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import confirm_at_till, make_offer, make_retailer, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_brake() -> None:
    cache.clear()  # the typed-code brake counts in the cache


@pytest.fixture
def council() -> User:
    admin = make_user("council@example.org")
    SchemeAdmin.objects.create(scheme=make_scheme(), user=admin)
    return admin


def resident_with(coins: int, email: str = "sam@example.org", **extra: Any) -> User:
    extra.setdefault("display_name", "Sam")
    user = make_user(email, **extra)
    give_coins(make_scheme(), user, coins)
    return user


def at_the_till(client: Client, offer: Offer) -> str:
    """Logs in the offer's shop staff; returns the shop's address."""
    client.force_login(staff_of(offer.retailer))
    return f"/shop/{offer.retailer.pk}"


def paid_sale(offer: Offer, resident: User) -> Redemption:
    code = redemption_code_create(user=resident, offer=offer)
    return confirm_at_till(redemption=code, staff=staff_of(offer.retailer))


def balance(user: User) -> int:
    return wallet_for(scheme=make_scheme(), user=user).balance


# Registering and the council's queue


def register(client: Client, **fields: str) -> str:
    data = {
        "scheme": str(Scheme.objects.get().pk),
        "name": "Corner Bakery",
        "description": "Bread and cakes.",
        "address": "1 High Street",
        "postcode": "bk1 1aa",
        "ward": "Centre",
        "contact_email": "bakery@example.org",
    }
    data.update(fields)
    return client.post("/shop/register/", data, follow=True).content.decode()


def test_a_registered_shop_waits_for_the_council_who_verifies_it_and_opens_its_account(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    page = register(client)
    assert "Corner Bakery is registered" in page
    retailer = Retailer.objects.get()
    assert retailer.status == Status.PENDING
    assert retailer.postcode == "BK1 1AA" and retailer.latitude is not None
    assert RetailerStaff.objects.filter(retailer=retailer, user=resident).exists()
    assert Notification.objects.filter(user=council, kind="retailer_pending").exists()
    assert "Waiting for the council to verify" in page  # the new shop's dashboard
    assert not Account.objects.filter(kind=Account.Kind.RETAILER).exists()

    client.force_login(council)
    queue = client.get("/council/shops/").content.decode()
    assert "Corner Bakery" in queue and "1 High Street, BK1 1AA" in queue
    assert 'href="/council/groups/"' in queue
    assert 'href="/council/shops/"' in client.get("/council/groups/").content.decode()
    client.post(f"/council/shops/{retailer.pk}/decision/", {"decision": "verify"})
    retailer.refresh_from_db()
    assert retailer.status == Status.VERIFIED and retailer.decided_by == council
    shop = account_for(scheme=retailer.scheme, kind=Account.Kind.RETAILER, owner=retailer)
    assert shop.balance == 0 and Account.objects.filter(kind=Account.Kind.RETAILER).count() == 1
    assert Notification.objects.filter(user=resident, kind="retailer_verified").exists()
    assert "No shops are waiting" in client.get("/council/shops/").content.decode()


def test_rejecting_a_shop_needs_a_reason_which_its_staff_then_see(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    register(client)
    retailer = Retailer.objects.get()
    client.force_login(council)
    decision = f"/council/shops/{retailer.pk}/decision/"
    page = client.post(decision, {"decision": "reject", "reason": " "}, follow=True)
    assert "Give a reason, so that the shop knows what to change." in page.content.decode()
    retailer.refresh_from_db()
    assert retailer.status == Status.PENDING

    client.post(decision, {"decision": "reject", "reason": "We could not find the shop."})
    retailer.refresh_from_db()
    assert retailer.status == Status.REJECTED
    assert not Account.objects.filter(kind=Account.Kind.RETAILER).exists()
    client.force_login(resident)
    dashboard = client.get("/shop/", follow=True).content.decode()  # one shop: straight to it
    assert "Not verified.</strong> We could not find the shop." in dashboard


def test_only_the_schemes_admins_see_the_shops_queue_or_decide(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    register(client)
    retailer = Retailer.objects.get()
    assert client.get("/council/shops/").status_code == 403
    response = client.post(f"/council/shops/{retailer.pk}/decision/", {"decision": "verify"})
    assert response.status_code == 403
    assert client.post("/council/shops/999999/decision/", {"decision": "verify"}).status_code == 404
    retailer.refresh_from_db()
    assert retailer.status == Status.PENDING


def test_a_half_filled_shop_registration_explains_itself_and_saves_nothing(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    page = register(client, name="", postcode="nowhere", contact_email="")
    assert "There is a problem" in page
    assert "Enter your shop&#x27;s name." in page
    assert "Enter a UK postcode, like TF1 2AB." in page
    assert "Enter an email address the council can write to." in page
    assert not Retailer.objects.exists()


def test_my_shop_lists_several_shops_and_offers_registration(client: Client) -> None:
    bakery, florist = make_retailer("Corner Bakery"), make_retailer("Florist")
    person = staff_of(bakery)
    RetailerStaff.objects.create(retailer=florist, user=person)
    client.force_login(person)
    page = client.get("/shop/").content.decode()
    assert f'href="/shop/{bakery.pk}/"' in page and f'href="/shop/{florist.pk}/"' in page
    assert "Register a shop" in page
    client.force_login(make_user("nobody@example.org"))
    assert "You don't work at a shop" in client.get("/shop/").content.decode()


# Offers


def offer_data(**changes: str) -> dict[str, str]:
    data = {
        "title": "Loaf of bread",
        "description": "Fresh every morning.",
        "category": "food",
        "price": "10",
        "stock": "",
        "limit_per_person": "",
        "limit_period": "",
        "starts_on": "",
        "ends_on": "",
        "active": "on",
    }
    data.update(changes)
    return data


def test_staff_add_and_edit_an_offer_with_clear_errors(client: Client) -> None:
    retailer = make_retailer()
    client.force_login(staff_of(retailer))
    new = f"/shop/{retailer.pk}/offers/new/"
    today = timezone.localdate()
    page = client.post(
        new,
        offer_data(
            title="",
            price="0",
            limit_per_person="1",
            starts_on=today.isoformat(),
            ends_on=(today - timedelta(days=1)).isoformat(),
        ),
    ).content.decode()
    assert "There is a problem" in page
    assert "Enter a title." in page
    assert "The price must be at least 1 coin." in page
    assert "Choose whether the limit is per week or per month." in page
    assert "The offer must end on or after the day it starts." in page
    assert not Offer.objects.exists()

    response = client.post(new, offer_data(limit_per_person="2", limit_period="week", stock="5"))
    assert response.status_code == 302 and response["Location"] == f"/shop/{retailer.pk}/"
    offer = Offer.objects.get()
    assert (offer.scheme, offer.price, offer.stock) == (retailer.scheme, 10, 5)
    assert (offer.limit_per_person, offer.limit_period) == (2, "week")

    edit = f"/shop/{retailer.pk}/offers/{offer.pk}/edit/"
    assert "Edit “Loaf of bread”" in client.get(edit).content.decode()
    page = client.post(edit, offer_data(price="lots")).content.decode()
    assert "Enter the price as a whole number of coins." in page
    assert "Edit “Loaf of bread”" in page
    hidden = {k: v for k, v in offer_data(title="Sourdough", price="12").items() if k != "active"}
    client.post(edit, hidden)  # an unticked box is not sent: the offer is hidden
    offer.refresh_from_db()
    assert (offer.title, offer.price, offer.active, offer.limit_per_person) == (
        "Sourdough",
        12,
        False,
        None,
    )
    dashboard = client.get(f"/shop/{retailer.pk}/").content.decode()
    assert "Sourdough" in dashboard and "Hidden" in dashboard


def test_staff_of_another_shop_get_403_and_unknown_ids_404(client: Client) -> None:
    offer = make_offer()
    other = make_retailer("Florist")
    client.force_login(staff_of(other))
    mine, theirs = f"/shop/{other.pk}", f"/shop/{offer.retailer.pk}"
    for path in ("/", "/till/", "/sales.csv", "/offers/new/", f"/offers/{offer.pk}/edit/"):
        assert client.get(theirs + path).status_code == 403, path
    assert client.post(theirs + "/offers/new/", offer_data()).status_code == 403
    assert client.post(theirs + "/till/check/", {"code": "ABCDEFGH"}).status_code == 403
    assert client.get(f"{mine}/offers/{offer.pk}/edit/").status_code == 404  # not my offer
    assert client.get("/shop/999999/").status_code == 404
    assert client.get(f"{mine}/receipts/999999/").status_code == 404
    assert client.post(f"{mine}/till/999999/confirm/", {"token": "x"}).status_code == 404
    assert Offer.objects.count() == 1


def test_an_offer_photo_is_cleaned_and_gets_thumbnails_after_commit(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    retailer = make_retailer()
    client.force_login(staff_of(retailer))
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), "orange").save(out, "PNG")
    upload = SimpleUploadedFile("bread.png", out.getvalue(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(f"/shop/{retailer.pk}/offers/new/", {**offer_data(), "photo": upload})
    assert len(callbacks) == 1
    offer = Offer.objects.get()
    assert offer.photo.name.endswith(".jpg")
    assert sorted(int(width) for width in offer.photo_sizes) == list(THUMBNAIL_WIDTHS)

    bad = SimpleUploadedFile("notes.png", b"not a picture", content_type="image/png")
    edit = f"/shop/{retailer.pk}/offers/{offer.pk}/edit/"
    page = client.post(edit, {**offer_data(), "photo": bad}).content.decode()
    assert "That file is not a photo we can read." in page


# The till


def test_a_typed_code_shows_who_and_what_then_confirming_shows_the_receipt(
    client: Client,
) -> None:
    sam = resident_with(30)
    offer = make_offer(price=12)
    shop = at_the_till(client, offer)
    till = client.get(f"{shop}/till/").content.decode()
    assert 'autocomplete="off"' in till and 'autocapitalize="characters"' in till
    assert "data-scan hidden" in till  # the camera button waits for till.js
    code = redemption_code_create(user=sam, offer=offer)

    page = client.post(f"{shop}/till/check/", {"code": code.code.lower()}).content.decode()
    assert "Sam" in page and "Loaf of bread" in page
    assert "Confirm: take 12 Citizen Coins" in page
    assert balance(sam) == 30  # nothing moves until the staff confirm

    response = client.post(f"{shop}/till/{code.pk}/confirm/", {"token": code.token})
    assert response["Location"] == f"{shop}/receipts/{code.pk}/"
    receipt = client.get(response["Location"]).content.decode()
    assert "<h1>Paid</h1>" in receipt and "12 Citizen Coins" in receipt
    assert f"<dd>{code.pk}</dd>" in receipt and "Sam" in receipt
    assert "Next customer" in receipt
    assert balance(sam) == 18


def test_an_empty_code_is_a_form_error_and_a_wrong_one_is_refused(client: Client) -> None:
    offer = make_offer()
    shop = at_the_till(client, offer)
    page = client.post(f"{shop}/till/check/", {"code": "  "}).content.decode()
    assert "Enter the code on the resident&#x27;s phone" in page
    page = client.post(f"{shop}/till/check/", {"code": "ABCD2345"}).content.decode()
    assert "That code is not valid. Check it with the resident." in page
    assert client.get(f"{shop}/till/check/")["Location"] == f"{shop}/till/"


def test_a_scanned_qr_code_finds_the_sale_and_hides_an_under_18s_name(client: Client) -> None:
    young = resident_with(30, "young@example.org", share_name=False)
    offer = make_offer(price=5)
    shop = at_the_till(client, offer)
    code = redemption_code_create(user=young, offer=offer)
    page = client.post(f"{shop}/till/check/", {"code": "", "token": signed(code.token)})
    text = page.content.decode()
    assert "A resident" in text and "Sam" not in text
    assert "Confirm: take 5 Citizen Coins" in text


def test_a_forged_qr_code_is_refused(client: Client) -> None:
    sam = resident_with(30)
    offer = make_offer()
    shop = at_the_till(client, offer)
    code = redemption_code_create(user=sam, offer=offer)
    for scanned in (code.token, signed(code.token) + "x", "https://example.org/?q=1"):
        page = client.post(f"{shop}/till/check/", {"token": scanned}).content.decode()
        assert "That QR code was not made by Citizen Coin." in page
    assert Redemption.objects.get(pk=code.pk).status == Redemption.State.ISSUED


def test_a_used_code_links_to_its_original_receipt(client: Client) -> None:
    sam = resident_with(30)
    offer = make_offer(price=5)
    shop = at_the_till(client, offer)
    sale = paid_sale(offer, sam)
    page = client.post(f"{shop}/till/check/", {"code": sale.code}).content.decode()
    assert "This code has already been used." in page
    assert f'href="{shop}/receipts/{sale.pk}/"' in page


def test_confirming_twice_charges_once_and_shows_the_receipt(client: Client) -> None:
    sam = resident_with(30)
    offer = make_offer(price=12)
    shop = at_the_till(client, offer)
    code = redemption_code_create(user=sam, offer=offer)
    first = client.post(f"{shop}/till/{code.pk}/confirm/", {"token": code.token})
    second = client.post(f"{shop}/till/{code.pk}/confirm/", {"token": code.token}, follow=True)
    assert first["Location"] == f"{shop}/receipts/{code.pk}/"
    assert second.redirect_chain[-1][0] == f"{shop}/receipts/{code.pk}/"
    assert "This code has already been used: here is its receipt." in second.content.decode()
    assert balance(sam) == 18
    assert Transfer.objects.filter(kind=Transfer.Kind.SPEND).count() == 1


def test_a_sale_number_alone_cannot_take_a_residents_coins(client: Client) -> None:
    sam = resident_with(30)
    offer = make_offer(price=12)
    shop = at_the_till(client, offer)
    code = redemption_code_create(user=sam, offer=offer)
    for token in ("", "guess", "é"):
        page = client.post(f"{shop}/till/{code.pk}/confirm/", {"token": token}).content.decode()
        assert "That code does not match this sale." in page
    assert balance(sam) == 30


def test_a_refund_gives_the_resident_their_coins_back(client: Client) -> None:
    sam = resident_with(30)
    offer = make_offer(price=12)
    shop = at_the_till(client, offer)
    sale = paid_sale(offer, sam)
    assert balance(sam) == 18
    page = client.post(
        f"{shop}/receipts/{sale.pk}/refund/", {"reason": "Sold out after all"}, follow=True
    ).content.decode()
    assert "Refunded 12 Citizen Coins to the resident." in page
    assert "<h1>Refunded</h1>" in page and "Refund this sale" not in page
    assert balance(sam) == 30

    old = paid_sale(offer, sam)
    Redemption.objects.filter(pk=old.pk).update(redeemed_at=timezone.now() - timedelta(days=15))
    late = client.post(f"{shop}/receipts/{old.pk}/refund/", {"reason": ""}, follow=True)
    assert "Sales can be refunded for 14 days; this one is older." in late.content.decode()
    assert balance(sam) == 18


# The dashboard and the CSV


def test_the_dashboard_shows_todays_takings_balance_history_and_totals_per_offer(
    client: Client,
) -> None:
    sam = resident_with(200)
    bread = make_offer(price=10)
    cake = make_offer(bread.retailer, title="Slice of cake", price=4)
    shop = at_the_till(client, bread)
    paid_sale(bread, sam)
    paid_sale(bread, sam)
    paid_sale(cake, sam)
    refunded = paid_sale(cake, sam)
    client.post(f"{shop}/receipts/{refunded.pk}/refund/", {"reason": ""})
    yesterday = paid_sale(cake, sam)
    Redemption.objects.filter(pk=yesterday.pk).update(
        redeemed_at=timezone.now() - timedelta(days=1, hours=1)
    )

    page = client.get(f"{shop}/").content.decode()
    assert "<strong>24</strong> Citizen Coins from 3 sales, and 1 refunded." in page
    assert "The shop's balance: <strong>28</strong> Citizen Coins." in page
    assert "Open the till" in page
    assert '<th scope="row">Loaf of bread</th><td class="num">2</td><td class="num">20</td>' in page
    assert '<th scope="row">Slice of cake</th><td class="num">2</td><td class="num">8</td>' in page
    assert page.count("Refunded</span>") == 1
    assert f'href="{shop}/offers/{cake.pk}/edit/"' in page
    assert f'href="{shop}/sales.csv"' in page


def test_sales_history_is_paginated(client: Client) -> None:
    sam = resident_with(100)
    offer = make_offer(price=1)
    shop = at_the_till(client, offer)
    sales = [paid_sale(offer, sam) for _ in range(21)]
    first = client.get(f"{shop}/").content.decode()
    assert "Page 1 of 2" in first and f'receipts/{sales[-1].pk}/"' in first
    second = client.get(f"{shop}/?page=2").content.decode()
    assert f'receipts/{sales[0].pk}/"' in second
    assert client.get(f"{shop}/?page=banana").status_code == 200


def test_the_sales_csv_lists_every_sale_with_formulas_defused(client: Client) -> None:
    sam = resident_with(100, display_name="=HYPERLINK(evil)")
    formula = make_offer(title="@SUM(1+1)", price=3)
    plain = make_offer(formula.retailer, title="Tea", price=2)
    shop = at_the_till(client, formula)
    first = paid_sale(formula, sam)
    second = paid_sale(plain, sam)
    client.post(f"{shop}/receipts/{second.pk}/refund/", {"reason": ""})

    response = client.get(f"{shop}/sales.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["sale", "paid at", "offer", "coins", "status", "refunded at", "resident"]
    by_sale = {row[0]: row for row in rows[1:]}
    assert by_sale[str(first.pk)][2:5] == ["'@SUM(1+1)", "3", "Paid"]
    assert by_sale[str(first.pk)][6] == "'=HYPERLINK(evil)"
    assert by_sale[str(second.pk)][2:5] == ["Tea", "2", "Refunded"]
    assert by_sale[str(second.pk)][5]  # when it was refunded


def test_staff_make_a_till_key_shown_once_and_turn_it_off(client: Client) -> None:
    offer = make_offer(price=5)
    shop = at_the_till(client, offer)
    assert "Give the key a name" in client.post(f"{shop}/keys/", {"name": ""}).content.decode()
    assert not RetailerApiKey.objects.exists()

    made = client.post(f"{shop}/keys/", {"name": "Front counter till"})
    assert made["Cache-Control"] == "no-store"
    raw = re.search(r'value="(cc_pos_[^"]+)"', made.content.decode())
    assert raw is not None
    key = RetailerApiKey.objects.get()
    assert raw.group(1) not in client.get(f"{shop}/keys/").content.decode()  # never again
    assert key.prefix in client.get(f"{shop}/keys/").content.decode()

    page = client.post(f"{shop}/keys/{key.pk}/revoke/", follow=True).content.decode()
    assert "“Front counter till” no longer works." in page
    key.refresh_from_db()
    assert key.revoked_at is not None

    client.force_login(make_user("stranger@example.org"))
    assert client.get(f"{shop}/keys/").status_code == 403
    assert client.post(f"{shop}/keys/{key.pk}/revoke/").status_code == 403

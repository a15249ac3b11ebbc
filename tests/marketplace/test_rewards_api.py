"""Rewards in the JSON API: residents' codes, the shop's till keys, and the POS API."""

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db.models import CharField, TextField
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.models import Transfer
from coins.services import wallet_for
from marketplace.organisations import Status
from marketplace.rewards.models import Redemption, Retailer, RetailerApiKey, RetailerStaff
from marketplace.rewards.services.api_keys import (
    ApiKeyRefused,
    retailer_api_key_create,
    retailer_api_key_revoke,
    retailer_api_key_use,
)
from marketplace.rewards.services.redemptions import redemption_code_create
from marketplace.rewards.till import signed, unsigned
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import confirm_at_till, make_offer, make_retailer, staff_of

pytestmark = pytest.mark.django_db

NOT_VALID = "That API key is not valid. Check it, or make a new one on the shop's keys page."
NO_KEY = "Send the shop's API key as the header `Authorization: Bearer cc_pos_...`."


def retailer_for_api_key(raw: str) -> Retailer | None:
    """The shop a till's key belongs to, as the POS API sees it; None for a refused key."""
    try:
        return retailer_api_key_use(raw).retailer
    except ApiKeyRefused:
        return None


@pytest.fixture(autouse=True)
def _fresh_brake() -> None:
    cache.clear()  # the typed-code brake counts in the cache


def resident_with(coins: int, email: str = "sam@example.org") -> User:
    user = make_user(email, display_name="Sam")
    give_coins(make_scheme(), user, coins)
    return user


def key_for(retailer: Retailer, name: str = "Front till") -> str:
    _key, raw = retailer_api_key_create(retailer=retailer, by=staff_of(retailer), name=name)
    return raw


def pos(client: Client, path: str, key: str, body: Any = None) -> Any:
    """A till system's POST, with its key."""
    return client.post(
        f"/api/v1{path}",
        json.dumps(body or {}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def pos_get(client: Client, path: str, key: str) -> Any:
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {key}"})


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(f"/api/v1{path}", json.dumps(body or {}), content_type="application/json")


def stored_anywhere(secret: str) -> list[str]:
    """Every text column in the database that holds `secret`."""
    hits = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, CharField | TextField):
                continue
            if model._base_manager.filter(**{f"{field.name}__contains": secret}).exists():
                hits.append(f"{model._meta.label}.{field.name}")
    return hits


def test_the_pos_api_redeems_a_code_with_a_valid_key_and_refuses_a_revoked_one(
    client: Client,
) -> None:
    sam = resident_with(30)
    offer = make_offer(price=12)
    key, raw = retailer_api_key_create(
        retailer=offer.retailer, by=staff_of(offer.retailer), name="Front till"
    )
    code = redemption_code_create(user=sam, offer=offer)

    found = pos(client, "/pos/lookup", raw, {"code": code.code})
    assert found.status_code == 200
    assert found.json() == {
        "id": code.pk,
        "price": 12,
        "offer": "Loaf of bread",
        "resident": "Sam",
        "expires_at": found.json()["expires_at"],
    }
    paid = pos(client, f"/pos/redemptions/{code.pk}/confirm", raw, {"code": code.code})
    assert paid.status_code == 200
    assert paid.json()["status"] == "redeemed"
    assert paid.json()["transfer_id"] == Transfer.objects.get(kind="spend").pk
    assert wallet_for(scheme=offer.scheme, user=sam).balance == 18

    retailer_api_key_revoke(key=key, by=staff_of(offer.retailer))
    another = redemption_code_create(user=sam, offer=offer)
    for path, body in [
        ("/pos/lookup", {"code": another.code}),
        (f"/pos/redemptions/{another.pk}/confirm", {"code": another.code}),
    ]:
        refused = pos(client, path, raw, body)
        assert (refused.status_code, refused.json()) == (401, {"detail": NOT_VALID})
    assert Transfer.objects.filter(kind="spend").count() == 1
    assert wallet_for(scheme=offer.scheme, user=sam).balance == 18

    # The key was shown once: only its hash and its first 12 characters are kept.
    assert key.hashed == hashlib.sha256(raw.encode()).hexdigest()
    assert key.prefix == raw[:12] and raw.startswith("cc_pos_")
    assert stored_anywhere(key.hashed) == ["marketplace.RetailerApiKey.hashed"]  # it looks
    assert stored_anywhere(raw) == []
    assert stored_anywhere(raw[12:]) == []


def test_a_till_finds_a_code_by_its_qr_and_refuses_a_forged_one(client: Client) -> None:
    sam = resident_with(30)
    User.objects.filter(pk=sam.pk).update(share_name=False)
    offer = make_offer(price=5)
    raw = key_for(offer.retailer)
    code = redemption_code_create(user=sam, offer=offer)

    found = pos(client, "/pos/lookup", raw, {"qr": signed(code.token)})
    assert found.status_code == 200
    assert (found.json()["id"], found.json()["resident"]) == (code.pk, "A resident")

    for forged in [signed(code.token)[:-1] + "x", f"{code.token}:made-up", "not a qr code"]:
        refused = pos(client, "/pos/lookup", raw, {"qr": forged})
        assert refused.status_code == 409
        assert refused.json() == {
            "detail": "That QR code was not made by Citizen Coin.",
            "receipt": None,
        }
    # Exactly one of the two: otherwise the body is not valid.
    for body in [{}, {"code": code.code, "qr": signed(code.token)}, {"code": 12}]:
        assert pos(client, "/pos/lookup", raw, body).status_code == 422
    neither = pos(client, "/pos/lookup", raw, {"code": ""}).json()
    assert "Send either the typed `code` or the scanned `qr`." in json.dumps(neither)


def test_confirming_twice_takes_the_coins_once_and_shows_the_first_receipt(
    client: Client,
) -> None:
    sam = resident_with(30)
    offer = make_offer(price=10)
    raw = key_for(offer.retailer)
    code = redemption_code_create(user=sam, offer=offer)

    first = pos(client, f"/pos/redemptions/{code.pk}/confirm", raw, {"code": code.code})
    again = pos(client, f"/pos/redemptions/{code.pk}/confirm", raw, {"code": code.code})
    assert first.status_code == 200
    assert again.status_code == 409
    assert again.json()["detail"] == "This code has already been used."
    assert again.json()["receipt"] == first.json()
    looked_up = pos(client, "/pos/lookup", raw, {"code": code.code})
    assert (looked_up.status_code, looked_up.json()["receipt"]["id"]) == (409, code.pk)
    assert Transfer.objects.filter(kind="spend").count() == 1
    assert wallet_for(scheme=offer.scheme, user=sam).balance == 20


def test_another_shops_code_is_refused_at_this_till_and_its_sale_is_not_found(
    client: Client,
) -> None:
    sam = resident_with(30)
    mine = make_retailer("Corner Bakery")
    theirs = redemption_code_create(user=sam, offer=make_offer(make_retailer("Other Shop")))
    raw = key_for(mine)

    typed = pos(client, "/pos/lookup", raw, {"code": theirs.code})
    assert (typed.status_code, typed.json()["detail"]) == (
        409,
        "That code is not valid. Check it with the resident.",
    )
    scanned = pos(client, "/pos/lookup", raw, {"qr": signed(theirs.token)})
    assert (scanned.status_code, scanned.json()["detail"]) == (
        409,
        "That code is for another shop.",
    )
    assert (
        pos(client, f"/pos/redemptions/{theirs.pk}/confirm", raw, {"code": theirs.code}).status_code
        == 404
    )
    assert pos(client, f"/pos/redemptions/{theirs.pk}/refund", raw, {}).status_code == 404
    assert not Transfer.objects.filter(kind="spend").exists()


def test_the_pos_api_answers_401_for_a_missing_garbage_or_revoked_key(client: Client) -> None:
    retailer = make_retailer()
    key, raw = retailer_api_key_create(retailer=retailer, by=staff_of(retailer), name="Till")
    other, other_raw = retailer_api_key_create(retailer=retailer, by=staff_of(retailer), name="B")
    retailer_api_key_revoke(key=other, by=staff_of(retailer))
    client.force_login(staff_of(retailer))  # a session is not a key

    def sales(headers: dict[str, str]) -> tuple[int, Any]:
        answer = client.get("/api/v1/pos/sales", headers=headers)
        return answer.status_code, answer.json()

    assert sales({}) == (401, {"detail": NO_KEY})
    assert sales({"Authorization": f"Basic {raw}"}) == (401, {"detail": NO_KEY})
    for wrong in ["garbage", "cc_pos_", raw[:-1], raw + "x", "cc_pos_" + "x" * 500, other_raw]:
        assert sales({"Authorization": f"Bearer {wrong}"}) == (401, {"detail": NOT_VALID}), wrong
    assert sales({"Authorization": f"Bearer {raw}"})[0] == 200
    assert retailer_for_api_key(raw) == retailer
    assert retailer_for_api_key(other_raw) is None
    assert retailer_for_api_key("garbage") is None

    # A key acts for the person who made it: once they leave the shop, it stops.
    RetailerStaff.objects.filter(retailer=retailer, user=key.created_by).delete()
    assert sales({"Authorization": f"Bearer {raw}"}) == (
        401,
        {"detail": "This key no longer works: make a new one."},
    )
    assert retailer_for_api_key(raw) is None


def test_a_keys_last_use_is_written_at_most_once_a_minute(client: Client) -> None:
    retailer = make_retailer()
    key, raw = retailer_api_key_create(retailer=retailer, by=staff_of(retailer), name="Till")
    assert key.last_used is None
    pos_get(client, "/pos/sales", raw)
    key.refresh_from_db()
    first = key.last_used
    assert first is not None
    pos_get(client, "/pos/sales", raw)
    key.refresh_from_db()
    assert key.last_used == first
    RetailerApiKey.objects.filter(pk=key.pk).update(last_used=first - timedelta(minutes=2))
    pos_get(client, "/pos/sales", raw)
    key.refresh_from_db()
    assert key.last_used > first


def test_the_eleventh_wrong_typed_code_through_the_api_is_refused_without_checking(
    client: Client,
) -> None:
    sam = resident_with(30)
    offer = make_offer(price=5)
    raw = key_for(offer.retailer)
    real = redemption_code_create(user=sam, offer=offer)
    for n in range(10):
        wrong = pos(client, "/pos/lookup", raw, {"code": f"WRONG{n:03d}"})
        assert (wrong.status_code, wrong.json()["detail"]) == (
            409,
            "That code is not valid. Check it with the resident.",
        )
    braked = pos(client, "/pos/lookup", raw, {"code": real.code})
    assert braked.status_code == 409
    assert braked.json()["detail"].startswith("Too many wrong codes.")
    # Scanning still works: the brake is on typing, which is what guessing needs.
    assert pos(client, "/pos/lookup", raw, {"qr": signed(real.token)}).status_code == 200


def test_a_refund_through_the_pos_api_gives_the_coins_back_once(client: Client) -> None:
    sam = resident_with(30)
    offer = make_offer(price=12, stock=3)
    raw = key_for(offer.retailer)
    code = redemption_code_create(user=sam, offer=offer)

    unpaid = pos(client, f"/pos/redemptions/{code.pk}/refund", raw, {"reason": "Oops"})
    assert (unpaid.status_code, unpaid.json()["detail"]) == (
        409,
        "Only a paid sale can be refunded.",
    )
    pos(client, f"/pos/redemptions/{code.pk}/confirm", raw, {"code": code.code})
    refunded = pos(client, f"/pos/redemptions/{code.pk}/refund", raw, {"reason": "Stale bread"})
    assert refunded.status_code == 200
    assert refunded.json()["status"] == "refunded" and refunded.json()["refunded_at"]
    again = client.post(
        f"/api/v1/pos/redemptions/{code.pk}/refund",
        "",
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )  # no body at all: the reason is optional
    assert again.status_code == 200
    assert wallet_for(scheme=offer.scheme, user=sam).balance == 30
    assert Transfer.objects.filter(kind="reversal").count() == 1

    old = confirm_at_till(
        redemption=redemption_code_create(user=sam, offer=offer), staff=staff_of(offer.retailer)
    )
    Redemption.objects.filter(pk=old.pk).update(redeemed_at=timezone.now() - timedelta(days=15))
    too_late = pos(client, f"/pos/redemptions/{old.pk}/refund", raw, {})
    assert too_late.status_code == 409
    assert "refunded for 14 days" in too_late.json()["detail"]


def test_the_days_sales_are_this_shops_with_a_total_less_refunds(client: Client) -> None:
    sam = resident_with(100)
    offer = make_offer(price=10)
    staff = staff_of(offer.retailer)
    raw = key_for(offer.retailer)
    kept = confirm_at_till(redemption=redemption_code_create(user=sam, offer=offer), staff=staff)
    returned = redemption_code_create(user=sam, retailer=offer.retailer, amount=7)
    pos(client, f"/pos/redemptions/{returned.pk}/confirm", raw, {"code": returned.code})
    pos(client, f"/pos/redemptions/{returned.pk}/refund", raw, {})
    redemption_code_create(user=sam, offer=offer)  # issued, not a sale
    elsewhere = make_offer(make_retailer("Other Shop"), price=5)
    confirm_at_till(
        redemption=redemption_code_create(user=sam, offer=elsewhere),
        staff=staff_of(elsewhere.retailer),
    )

    today = pos_get(client, "/pos/sales", raw).json()
    assert today["date"] == timezone.localdate().isoformat()
    assert (today["count"], today["total"]) == (2, 10)
    assert [(s["id"], s["status"], s["offer"]) for s in today["sales"]] == [
        (kept.pk, "redeemed", "Loaf of bread"),
        (returned.pk, "refunded", None),
    ]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert pos_get(client, f"/pos/sales?date={yesterday}", raw).json()["sales"] == []
    assert pos_get(client, "/pos/sales?date=31-12-2026", raw).status_code == 422


def test_a_resident_lists_open_offers_gets_a_code_and_sees_it_paid(client: Client) -> None:
    sam = resident_with(30)
    bakery = make_retailer("Corner Bakery")
    bread = make_offer(bakery, price=8)
    make_offer(bakery, title="Cinema ticket", price=20, category="leisure")
    make_offer(bakery, title="Old stock", price=5, stock=0)
    make_offer(bakery, title="Hidden", price=5, active=False)
    make_offer(bakery, title="Last month", ends_on=timezone.localdate() - timedelta(days=1))
    make_offer(make_retailer("Not Yet", status=Status.PENDING), title="Pending shop's")
    client.force_login(sam)

    listed = client.get("/api/v1/rewards/offers").json()
    assert [o["title"] for o in listed] == ["Loaf of bread", "Cinema ticket"]
    assert listed[0]["shop"]["name"] == "Corner Bakery" and listed[0]["unavailable"] == ""
    leisure = client.get("/api/v1/rewards/offers?category=leisure").json()
    assert [o["title"] for o in leisure] == ["Cinema ticket"]
    assert client.get("/api/v1/rewards/offers?category=jewels").status_code == 422
    assert client.get(f"/api/v1/rewards/offers/{bread.pk}").json()["price"] == 8

    made = post(client, f"/rewards/offers/{bread.pk}/code")
    assert made.status_code == 201
    code = Redemption.objects.get(user=sam)
    assert made.json()["code"] == code.code and unsigned(made.json()["qr"]) == code.token
    assert (made.json()["price"], made.json()["status"], made.json()["receipt"]) == (
        8,
        "issued",
        None,
    )

    pos(client, f"/pos/redemptions/{code.pk}/confirm", key_for(bakery), {"code": code.code})
    seen = client.get(f"/api/v1/rewards/codes/{code.pk}").json()
    assert seen["status"] == "redeemed"
    assert seen["receipt"]["transfer_id"] == Transfer.objects.get(kind="spend").pk

    client.force_login(make_user("kim@example.org"))
    assert client.get(f"/api/v1/rewards/codes/{code.pk}").status_code == 404


def test_a_code_the_resident_may_not_have_is_a_409_with_the_reason(client: Client) -> None:
    sam = resident_with(10)
    bakery = make_retailer("Corner Bakery")
    dear = make_offer(bakery, title="Cake", price=15)
    gone = make_offer(bakery, title="Pie", price=5, stock=0)
    weekly = make_offer(bakery, title="Coffee", price=2, limit_per_person=1, limit_period="week")
    confirm_at_till(
        redemption=redemption_code_create(user=sam, offer=weekly), staff=staff_of(bakery)
    )
    client.force_login(sam)

    for offer, reason in [
        (dear, "Not enough Citizen Coins: this costs 15 and you have 8."),
        (gone, "This offer has sold out."),
        (weekly, "You have had this offer 1 time this week, which is the most allowed."),
    ]:
        refused = post(client, f"/rewards/offers/{offer.pk}/code")
        assert (refused.status_code, refused.json()) == (409, {"detail": reason, "errors": None})
    assert post(client, "/rewards/offers/999999/code").status_code == 404

    assert post(client, f"/rewards/shops/{bakery.pk}/code", {"amount": 5}).status_code == 201
    assert post(client, f"/rewards/shops/{bakery.pk}/code", {"amount": 0}).status_code == 422
    assert post(client, f"/rewards/shops/{bakery.pk}/code", {"amount": 9}).json()["detail"] == (
        "Not enough Citizen Coins: this costs 9 and you have 8."
    )
    pending = make_retailer("Not Yet", status=Status.PENDING)
    closed = post(client, f"/rewards/shops/{pending.pk}/code", {"amount": 1})
    assert closed.json()["detail"] == "This shop is not taking coins at the moment."
    assert Redemption.objects.filter(user=sam, status="issued").count() == 1


def test_rewards_need_a_login(client: Client) -> None:
    offer = make_offer()
    for answer in [
        client.get("/api/v1/rewards/offers"),
        post(client, f"/rewards/offers/{offer.pk}/code"),
        client.get(f"/api/v1/shops/{offer.retailer.pk}/api-keys"),
    ]:
        assert (answer.status_code, answer.json()) == (401, {"detail": "Log in to use this."})


def test_only_the_shops_staff_make_list_and_revoke_its_till_keys(client: Client) -> None:
    bakery = make_retailer("Corner Bakery")
    other = make_retailer("Other Shop")
    theirs, _raw = retailer_api_key_create(retailer=other, by=staff_of(other), name="Theirs")
    client.force_login(staff_of(bakery))

    made = post(client, f"/shops/{bakery.pk}/api-keys", {"name": "Front till"})
    assert made.status_code == 201
    raw = made.json()["key"]
    assert raw.startswith("cc_pos_") and made.json()["prefix"] == raw[:12]
    assert retailer_for_api_key(raw) == bakery
    listed = client.get(f"/api/v1/shops/{bakery.pk}/api-keys")
    assert [(k["name"], k["revoked"]) for k in listed.json()] == [("Front till", False)]
    assert raw not in listed.content.decode()  # shown once, when made

    key_id = made.json()["id"]
    revoked = post(client, f"/shops/{bakery.pk}/api-keys/{key_id}/revoke")
    assert (revoked.status_code, revoked.json()["revoked"]) == (200, True)
    assert retailer_for_api_key(raw) is None
    assert post(client, f"/shops/{bakery.pk}/api-keys/{theirs.pk}/revoke").status_code == 404
    assert post(client, f"/shops/{bakery.pk}/api-keys", {"name": ""}).status_code == 422

    for outsider in [make_user("sam@example.org"), staff_of(other)]:
        client.force_login(outsider)
        for answer in [
            client.get(f"/api/v1/shops/{bakery.pk}/api-keys"),
            post(client, f"/shops/{bakery.pk}/api-keys", {"name": "Mine now"}),
            post(client, f"/shops/{bakery.pk}/api-keys/{key_id}/revoke"),
        ]:
            assert answer.status_code == 403
            assert answer.json() == {
                "detail": "Only the shop's staff can manage the keys for its till."
            }
    assert RetailerApiKey.objects.filter(retailer=bakery).count() == 1


def test_the_openapi_document_builds_and_names_the_till_key_as_bearer_auth(
    client: Client,
) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    assert "/api/v1/pos/lookup" in document["paths"]
    assert "/api/v1/rewards/offers/{pk}/code" in document["paths"]


def test_a_till_system_cannot_confirm_a_sale_by_its_number_alone(client: Client) -> None:
    sam = make_user("sam@example.org")
    offer = make_offer(price=5)
    give_coins(offer.scheme, sam, 20)
    code = redemption_code_create(user=sam, offer=offer)
    _, raw = retailer_api_key_create(
        retailer=offer.retailer, by=staff_of(offer.retailer), name="Till"
    )
    for body in ({"code": "ABCDEFGH"}, {"qr": "forged:value"}):
        refused = pos(client, f"/pos/redemptions/{code.pk}/confirm", raw, body)
        assert refused.status_code == 409
    assert pos(client, f"/pos/redemptions/{code.pk}/confirm", raw, {}).status_code == 422
    assert not Transfer.objects.filter(kind="spend").exists()

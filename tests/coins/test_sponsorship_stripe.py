"""Sponsorship end to end against localstripe: PaymentIntent, the card given in the
browser (as Stripe.js gives it), signed webhook, ledger; cancelling and expiring a payment
left unfinished."""

import copy
import json
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.funding import sponsorship_cancel, sponsorship_start, sponsorships_expire
from coins.models import Account, Currency, Sponsorship, StripeEvent, Transfer
from coins.services import LedgerError, account_for
from tests.coins.conftest import deliver, localstripe_get, status_of, wait_for
from tests.coins.factories import make_scheme
from tests.conftest import make_user

VISA = "4242424242424242"
DECLINED = "4000000000000341"  # attaches, then the charge is declined


def _fund_and_clearing(scheme: Any) -> tuple[Account, Account]:
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    clearing = account_for(scheme=scheme, kind=Account.Kind.CLEARING, currency=Currency.GBP)
    return fund, clearing


def _card_in_browser(localstripe: str, secret: str, number: str = VISA) -> tuple[int, Any]:
    """What localstripe's Stripe.js sends when the sponsor presses Pay with this card in
    its card element (coins/localstripe_launch.py); Stripe's answer, as status and body."""
    body = {
        "key": "pk_test_citizencoin",
        "client_secret": secret,
        "card": {
            "card": {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
            "postal_code": "AB1 2CD",
        },
    }
    intent = secret.split("_secret_")[0]
    request = urllib.request.Request(  # noqa: S310 (localstripe on 127.0.0.1)
        f"{localstripe}/v1/payment_intents/{intent}/_confirm_card",
        data=json.dumps(body).encode(),
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return int(refused.code), json.loads(refused.read())


def _started(pence: int = 2500) -> tuple[Sponsorship, str, Account, Account]:
    """A sponsor on the pay page: the sponsorship pending, its PaymentIntent created."""
    scheme = make_scheme()
    fund, clearing = _fund_and_clearing(scheme)
    sponsor = User.objects.filter(email="sponsor@example.org").first()
    sponsor = sponsor or make_user("sponsor@example.org")
    sponsorship, secret = sponsorship_start(
        scheme=scheme, sponsor=sponsor, account=fund, amount_pence=pence
    )
    assert secret.startswith(f"{sponsorship.payment_intent_id}_secret_")
    return sponsorship, secret, fund, clearing


def _paid_by_card(settings: Any, pence: int = 2500) -> tuple[Sponsorship, Account, Account]:
    """A sponsor pays `pence` into the fund with a Visa typed into the card element."""
    sponsorship, secret, fund, clearing = _started(pence)
    status, intent = _card_in_browser(settings.STRIPE_API_BASE, secret)
    assert (status, intent["status"]) == (200, "succeeded")
    return sponsorship, fund, clearing


def _balances(*accounts: Account) -> list[int]:
    for account in accounts:
        account.refresh_from_db()
    return [account.balance for account in accounts]


def _success_event(localstripe: str, intent_id: str) -> dict[str, Any]:
    events = localstripe_get(localstripe, "/v1/events?type=payment_intent.succeeded")
    return next(e for e in events["data"] if e["data"]["object"]["id"] == intent_id)


def _refund_event(localstripe: str, intent_id: str, event_id: str) -> dict[str, Any]:
    """Refund at localstripe, and the charge.refunded event Stripe would send for it
    (localstripe records refunds but sends no event for them)."""
    from coins.stripe_gateway import _client

    _client().v1.refunds.create(params={"payment_intent": intent_id})
    intent = localstripe_get(localstripe, f"/v1/payment_intents/{intent_id}")
    charge = localstripe_get(localstripe, f"/v1/charges/{intent['latest_charge']['id']}")
    assert charge["refunded"] is True
    return {
        "id": event_id,
        "object": "event",
        "type": "charge.refunded",
        "created": 1,
        "data": {"object": charge},
    }


def test_a_card_payment_credits_the_fund_once_when_the_webhook_lands(
    transactional_db: None, settings: Any, webhook_url: str
) -> None:
    sponsorship, fund, clearing = _paid_by_card(settings, pence=2500)

    wait_for(lambda: status_of(sponsorship) == Sponsorship.State.PAID)

    assert _balances(fund, clearing) == [2500, -2500]
    assert sponsorship.transfer is not None
    assert sponsorship.transfer.kind == Transfer.Kind.SPONSORSHIP
    assert sponsorship.transfer.key == f"sponsorship:{sponsorship.payment_intent_id}"
    event = StripeEvent.objects.get(type="payment_intent.succeeded")
    assert event.outcome == "credited"
    # The receipt, by email, once (sent just after the credit commits).
    wait_for(lambda: len(mail.outbox) > 0)
    assert [m.to for m in mail.outbox] == [["sponsor@example.org"]]
    assert "£25.00" in mail.outbox[0].body


def test_the_same_event_three_times_and_a_new_event_for_the_same_payment_credit_once(
    transactional_db: None, settings: Any, webhook_url: str
) -> None:
    sponsorship, fund, clearing = _paid_by_card(settings, pence=1000)
    wait_for(lambda: status_of(sponsorship) == Sponsorship.State.PAID and len(mail.outbox) > 0)
    event = StripeEvent.objects.get().payload

    answers = [deliver(webhook_url, event) for _ in range(3)]
    again = copy.deepcopy(event)
    again["id"] = "evt_same_payment_sent_again"
    answers.append(deliver(webhook_url, again))

    assert answers == [200, 200, 200, 200]
    assert StripeEvent.objects.count() == 2  # one row per event id
    assert StripeEvent.objects.get(event_id="evt_same_payment_sent_again").outcome == (
        "already credited"
    )
    assert _balances(fund, clearing) == [1000, -1000]
    assert Transfer.objects.filter(kind=Transfer.Kind.SPONSORSHIP).count() == 1
    assert len(mail.outbox) == 1


def test_a_bad_signature_is_refused_and_nothing_is_stored(
    transactional_db: None, settings: Any, quiet_webhook_url: str, stripe_keys: str
) -> None:
    sponsorship, fund, _ = _paid_by_card(settings)
    event = _success_event(stripe_keys, sponsorship.payment_intent_id or "")

    assert deliver(quiet_webhook_url, event, secret="whsec_someone_else") == 400

    assert not StripeEvent.objects.exists()
    assert status_of(sponsorship) == Sponsorship.State.PENDING
    assert _balances(fund) == [0]


def test_a_refund_reverses_the_credit(
    transactional_db: None, settings: Any, webhook_url: str, stripe_keys: str
) -> None:
    sponsorship, fund, clearing = _paid_by_card(settings, pence=4000)
    wait_for(lambda: status_of(sponsorship) == Sponsorship.State.PAID)

    refund = _refund_event(stripe_keys, sponsorship.payment_intent_id or "", "evt_refund_1")
    assert deliver(webhook_url, refund) == 200
    assert deliver(webhook_url, refund) == 200

    assert status_of(sponsorship) == Sponsorship.State.REFUNDED
    assert sponsorship.refund is not None
    assert sponsorship.refund.reverses_id == sponsorship.transfer_id
    assert _balances(fund, clearing) == [0, 0]


def test_a_refund_that_arrives_before_the_payment_ends_the_same(
    transactional_db: None, settings: Any, quiet_webhook_url: str, stripe_keys: str
) -> None:
    sponsorship, fund, clearing = _paid_by_card(settings, pence=1500)
    intent_id = sponsorship.payment_intent_id or ""
    wait_for(lambda: bool(localstripe_get(stripe_keys, "/v1/events")["data"]))
    succeeded = _success_event(stripe_keys, intent_id)
    refunded = _refund_event(stripe_keys, intent_id, "evt_refund_early")

    statuses = [deliver(quiet_webhook_url, e) for e in (refunded, succeeded, succeeded, refunded)]

    assert statuses == [200, 200, 200, 200]
    assert status_of(sponsorship) == Sponsorship.State.REFUNDED
    assert _balances(fund, clearing) == [0, 0]
    assert Transfer.objects.filter(kind=Transfer.Kind.SPONSORSHIP).count() == 1
    assert Transfer.objects.filter(kind=Transfer.Kind.REVERSAL).count() == 1
    assert StripeEvent.objects.get(event_id=succeeded["id"]).outcome == "already credited"
    assert not mail.outbox  # no thank-you for money that went back


def test_a_declined_card_marks_the_sponsorship_failed_and_another_card_still_pays(
    transactional_db: None, settings: Any, webhook_url: str, stripe_keys: str
) -> None:
    sponsorship, secret, fund, _ = _started(pence=500)

    status, answer = _card_in_browser(stripe_keys, secret, DECLINED)

    assert (status, answer["error"]["message"]) == (402, "Your card was declined.")
    wait_for(lambda: status_of(sponsorship) == Sponsorship.State.FAILED)
    assert StripeEvent.objects.get().type == "payment_intent.payment_failed"
    assert _balances(fund) == [0]
    # The sponsor tries another card on the same page: that payment counts.
    status, answer = _card_in_browser(stripe_keys, secret, VISA)
    assert (status, answer["status"]) == (200, "succeeded")
    wait_for(lambda: status_of(sponsorship) == Sponsorship.State.PAID)
    assert _balances(fund) == [500]


def test_a_sponsor_cancels_an_unfinished_payment_and_it_can_no_longer_be_paid(
    transactional_db: None, settings: Any, quiet_webhook_url: str, stripe_keys: str
) -> None:
    sponsorship, secret, fund, clearing = _started(pence=1200)
    intent_id = sponsorship.payment_intent_id or ""

    sponsorship_cancel(sponsorship=sponsorship)
    sponsorship_cancel(sponsorship=sponsorship)  # again: nothing more happens

    assert status_of(sponsorship) == Sponsorship.State.CANCELLED
    intent = localstripe_get(stripe_keys, f"/v1/payment_intents/{intent_id}")
    assert intent["status"] == "canceled"
    status, answer = _card_in_browser(stripe_keys, secret, VISA)
    assert status == 400 and "canceled" in answer["error"]["message"]
    # Stripe's own word on the cancel, twice, and a success forged from it: nothing moves.
    canceled: dict[str, Any] = {
        "id": "evt_canceled",
        "type": "payment_intent.canceled",
        "data": {"object": intent},
    }
    paid = copy.deepcopy(canceled) | {"id": "evt_paid_late", "type": "payment_intent.succeeded"}
    paid["data"]["object"]["status"] = "succeeded"
    assert [deliver(quiet_webhook_url, e) for e in (canceled, canceled, paid)] == [200] * 3
    wait_for(lambda: StripeEvent.objects.filter(processed_at__isnull=False).count() == 2)
    outcomes = dict(StripeEvent.objects.values_list("event_id", "outcome"))
    assert outcomes["evt_canceled"] == "already cancelled"
    assert "not credited" in outcomes["evt_paid_late"]
    assert status_of(sponsorship) == Sponsorship.State.CANCELLED
    assert _balances(fund, clearing) == [0, 0]
    assert not Transfer.objects.exists()


def test_a_payment_that_went_through_cannot_be_cancelled_and_is_credited(
    transactional_db: None, settings: Any, quiet_webhook_url: str, stripe_keys: str
) -> None:
    """Paid at Stripe, the webhook not here yet: the sponsor's cancel is refused, and the
    webhook, when it lands, credits the payment."""
    sponsorship, secret, fund, _ = _started(pence=800)
    assert _card_in_browser(stripe_keys, secret)[0] == 200

    with pytest.raises(LedgerError, match="just gone through"):
        sponsorship_cancel(sponsorship=sponsorship)

    assert status_of(sponsorship) == Sponsorship.State.PENDING
    wait_for(lambda: bool(localstripe_get(stripe_keys, "/v1/events")["data"]))
    assert (
        deliver(quiet_webhook_url, _success_event(stripe_keys, secret.split("_secret_")[0])) == 200
    )
    wait_for(lambda: status_of(sponsorship) == Sponsorship.State.PAID)
    assert _balances(fund) == [800]
    with pytest.raises(LedgerError, match="nothing to cancel"):
        sponsorship_cancel(sponsorship=sponsorship)


def test_payments_left_unfinished_for_a_day_are_cancelled_once(
    transactional_db: None, settings: Any, quiet_webhook_url: str, stripe_keys: str
) -> None:
    old, _, fund, _ = _started(pence=1000)
    fresh, _, _, _ = _started(pence=1100)
    paid, secret, _, _ = _started(pence=1300)
    assert _card_in_browser(stripe_keys, secret)[0] == 200  # paid, the webhook still to come
    day_and_a_bit = timezone.now() - timedelta(hours=25)
    Sponsorship.objects.filter(pk__in=[old.pk, paid.pk]).update(created=day_and_a_bit)

    first = sponsorships_expire()
    second = sponsorships_expire()

    assert first == {"cancelled": 1, "paid_meanwhile": 1, "stripe_unreachable": 0}
    assert second == {"cancelled": 0, "paid_meanwhile": 1, "stripe_unreachable": 0}
    assert [status_of(s) for s in (old, fresh, paid)] == ["cancelled", "pending", "pending"]
    intent = localstripe_get(stripe_keys, f"/v1/payment_intents/{old.payment_intent_id}")
    assert intent["status"] == "canceled"
    assert _balances(fund) == [0]


def test_the_cancel_button_cancels_only_the_sponsors_own_unfinished_payment(
    transactional_db: None, settings: Any, stripe_keys: str
) -> None:
    sponsorship, _, _, _ = _started(pence=1500)
    someone = Client()
    someone.force_login(make_user("someone-else@example.org"))
    sponsor = Client()
    sponsor.force_login(sponsorship.sponsor)
    url = f"/sponsor/{sponsorship.pk}/cancel/"

    assert someone.post(url).status_code == 404
    assert sponsor.get(url).status_code == 405
    assert status_of(sponsorship) == Sponsorship.State.PENDING
    mine = sponsor.get("/sponsor/mine/")
    assert "Cancel this payment" in mine.content.decode()

    answer = sponsor.post(url, follow=True)

    page = answer.content.decode()
    assert answer.redirect_chain == [("/sponsor/mine/", 302)]
    assert f"Payment S{sponsorship.pk} of £15.00 cancelled. No money was taken." in page
    assert "Cancel this payment" not in page
    assert status_of(sponsorship) == Sponsorship.State.CANCELLED
    receipt = sponsor.get(f"/sponsor/{sponsorship.pk}/").content.decode()
    assert "Payment cancelled" in receipt
    assert sponsor.get(f"/sponsor/{sponsorship.pk}/pay/").status_code == 302  # to the receipt


def test_a_cancel_stripe_cannot_hear_changes_nothing_and_says_so(
    transactional_db: None, settings: Any, stripe_keys: str
) -> None:
    sponsorship, _, _, _ = _started(pence=1500)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe out of reach
    sponsor = Client()
    sponsor.force_login(sponsorship.sponsor)

    answer = sponsor.post(f"/sponsor/{sponsorship.pk}/cancel/", follow=True)

    assert "Stripe could not be reached" in answer.content.decode()
    assert status_of(sponsorship) == Sponsorship.State.PENDING

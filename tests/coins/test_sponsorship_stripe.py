"""Sponsorship end to end against localstripe: PaymentIntent, signed webhook, ledger."""

import copy
from typing import Any

import pytest
from django.core import mail

from coins.funding import SponsorshipUnavailable, sponsorship_start
from coins.models import Account, Currency, Sponsorship, StripeEvent, Transfer
from coins.services import account_for
from tests.coins.conftest import deliver, localstripe_get, status_of, wait_for
from tests.coins.factories import make_scheme
from tests.conftest import make_user


def _fund_and_clearing(scheme: Any) -> tuple[Account, Account]:
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    clearing = account_for(scheme=scheme, kind=Account.Kind.CLEARING, currency=Currency.GBP)
    return fund, clearing


def _paid_by_card(settings: Any, pence: int = 2500) -> tuple[Sponsorship, Account, Account]:
    """A sponsor pays `pence` into the fund; the PaymentIntent is created and confirmed
    with a test card, as the Payment Element would confirm it."""
    settings.STRIPE_TEST_PAYMENT_METHOD = "pm_card_visa"
    scheme = make_scheme()
    fund, clearing = _fund_and_clearing(scheme)
    sponsor = make_user("sponsor@example.org")
    sponsorship, secret = sponsorship_start(
        scheme=scheme, sponsor=sponsor, account=fund, amount_pence=pence
    )
    assert secret.startswith(f"{sponsorship.payment_intent_id}_secret_")
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


def test_a_declined_card_marks_the_sponsorship_failed(
    transactional_db: None, settings: Any, webhook_url: str
) -> None:
    settings.STRIPE_TEST_PAYMENT_METHOD = "pm_card_chargeCustomerFail"
    scheme = make_scheme()
    fund, _ = _fund_and_clearing(scheme)
    sponsor = make_user("sponsor@example.org")

    with pytest.raises(SponsorshipUnavailable, match="declined"):
        sponsorship_start(scheme=scheme, sponsor=sponsor, account=fund, amount_pence=500)

    sponsorship = Sponsorship.objects.get()
    assert status_of(sponsorship) == Sponsorship.State.FAILED
    # Stripe's own word on it comes later, and changes nothing.
    wait_for(lambda: StripeEvent.objects.filter(processed_at__isnull=False).exists())
    assert StripeEvent.objects.get().type == "payment_intent.payment_failed"
    assert status_of(sponsorship) == Sponsorship.State.FAILED
    assert _balances(fund) == [0]
